package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.Job;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.Worker;
import dev.keel.queue.recurring.FireReport;
import dev.keel.queue.recurring.InvalidScheduleException;
import dev.keel.queue.recurring.MisfirePolicy;
import dev.keel.queue.recurring.NoSuchScheduleException;
import dev.keel.queue.recurring.OverlapPolicy;
import dev.keel.queue.recurring.Schedule;
import dev.keel.queue.recurring.ScheduleInfo;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.ScheduleFire;
import dev.keel.queue.spi.ScheduleFireOutcome;
import dev.keel.queue.spi.ScheduleFireRequest;
import dev.keel.queue.spi.ScheduleRef;
import dev.keel.queue.spi.StoredSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Recurring jobs as an application sees them, on a real backend: declarations stored and upserted
 * by "new deploys", pause and resume across nodes, manual triggers, misfire policies after
 * downtime, daylight-saving days in two zones, schedulers of two nodes racing over many fire times,
 * and workers that fire on their own.
 *
 * <p>Downtime is simulated without waiting: the schedule's next fire time is moved into the past
 * through the SPI (a fire without jobs), as if no scheduler had run since then.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RecurringKeelConformanceTest {

  /** A payload for the tests. */
  public record Task(String what) {}

  private BackendFixture fixture;
  private final List<AutoCloseable> closeAfterTest = new ArrayList<>();

  protected abstract BackendFixture createFixture();

  @BeforeAll
  void setUpFixture() {
    fixture = createFixture();
  }

  @AfterAll
  void tearDownFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @AfterEach
  void closeResources() throws Exception {
    Collections.reverse(closeAfterTest);
    for (AutoCloseable c : closeAfterTest) {
      c.close();
    }
    closeAfterTest.clear();
  }

  /** The first node: a Keel over an emptied backend. */
  private Keel node(Consumer<Keel.Builder> configure) {
    return nodeOn(fixture.openEmpty(), configure);
  }

  /** Another node over the same backend data. */
  private Keel another(Consumer<Keel.Builder> configure) {
    return nodeOn(fixture.openAnother(), configure);
  }

  private Keel nodeOn(QueueBackend backend, Consumer<Keel.Builder> configure) {
    Keel.Builder b = Keel.builder().backend(backend).clock(fixture.clock());
    configure.accept(b);
    Keel keel;
    try {
      keel = b.build();
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
    closeAfterTest.add(keel);
    return keel;
  }

  private static JobRequest<Task> task(String what) {
    return JobRequest.of("recurring.task", new Task(what));
  }

  private static Instant serverNow(Keel keel) {
    return keel.backend().ping().serverTime().truncatedTo(ChronoUnit.MICROS);
  }

  /** Moves the stored next fire time to {@code to}, as if no scheduler had run since then. */
  private static void rewind(Keel keel, String name, Instant to) {
    StoredSchedule s = keel.backend().findSchedule(new ScheduleRef(name)).orElseThrow();
    ScheduleFireOutcome o =
        keel.backend()
            .fireSchedules(
                new ScheduleFireRequest(
                    List.of(
                        new ScheduleFire(
                            name,
                            s.version(),
                            s.nextFireAt(),
                            List.of(),
                            to,
                            null,
                            OverlapPolicy.ALLOW))))
            .outcomes()
            .get(0);
    assertThat(o.kind()).isEqualTo(ScheduleFireOutcome.Kind.FIRED);
  }

  private static ScheduleInfo info(Keel keel, String name) {
    return keel.schedules()
        .find(name)
        .orElseThrow(() -> new AssertionError("schedule " + name + " not stored"));
  }

  @Test
  void declaredSchedulesAreStoredOnFirstUseAndListedWithTheirNextFiveFireTimes() {
    Keel keel =
        node(
            b ->
                b.schedule(
                        Schedule.every("hourly", Duration.ofHours(1))
                            .job(task("h").withQueue("ops").withPriority(3))
                            .build())
                    .schedule(
                        Schedule.cron("nightly", "0 2 * * *")
                            .zone("Europe/Berlin")
                            .job(task("n"))
                            .build()));
    List<ScheduleInfo> all = keel.schedules().list();
    assertThat(all).extracting(ScheduleInfo::name).containsExactly("hourly", "nightly");
    ScheduleInfo hourly = all.get(0);
    assertThat(hourly.jobType()).isEqualTo("recurring.task");
    assertThat(hourly.queue()).isEqualTo("ops");
    assertThat(hourly.overlap()).isEqualTo(OverlapPolicy.SKIP);
    assertThat(hourly.misfire()).isEqualTo(MisfirePolicy.fireOnce());
    assertThat(hourly.paused()).isFalse();
    assertThat(hourly.version()).isEqualTo(1);
    assertThat(hourly.nextFireTimes()).hasSize(5);
    Instant now = serverNow(keel);
    Instant first = hourly.nextFireTimes().get(0);
    assertThat(first).isAfter(now).isBeforeOrEqualTo(now.plus(Duration.ofHours(1)));
    assertThat(first.truncatedTo(ChronoUnit.HOURS)).isEqualTo(first);
    for (int i = 1; i < 5; i++) {
      assertThat(hourly.nextFireTimes().get(i)).isEqualTo(first.plus(Duration.ofHours(i)));
    }
    ScheduleInfo nightly = all.get(1);
    for (Instant t : nightly.nextFireTimes()) {
      LocalTime local = t.atZone(ZoneId.of("Europe/Berlin")).toLocalTime();
      // 02:00, or 03:00 on a spring-forward day.
      assertThat(local).isIn(LocalTime.of(2, 0), LocalTime.of(3, 0));
    }
    assertThat(nightly.lastFireAt()).isNull();
    assertThat(nightly.lastJobId()).isNull();

    keel.schedules().pause("hourly");
    assertThat(info(keel, "hourly").nextFireTimes()).as("paused: nothing upcoming").isEmpty();
  }

  @Test
  void aScheduleThatBreaksAJobRuleFailsAtBuildAndWritesNothing() {
    Keel clean = node(b -> {});
    assertThatThrownBy(
            () ->
                another(
                    b ->
                        b.schedule(
                            Schedule.every("bad", Duration.ofMinutes(1))
                                .job(task("x").withTenant("no spaces allowed"))
                                .build())))
        .isInstanceOfSatisfying(
            InvalidScheduleException.class,
            e -> assertThat(e.field()).isEqualTo("schedule.job.tenant"));
    assertThatThrownBy(
            () ->
                another(
                    b ->
                        b.schedule(
                                Schedule.every("twice", Duration.ofMinutes(1))
                                    .job(task("1"))
                                    .build())
                            .schedule(
                                Schedule.every("twice", Duration.ofMinutes(2))
                                    .job(task("2"))
                                    .build())))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("twice");
    assertThat(clean.schedules().list()).isEmpty();
    assertThat(clean.client().list(dev.keel.queue.JobQuery.tenant("default")).jobs()).isEmpty();
  }

  @Test
  void aNewDeployUpsertsTheDeclarationAndEveryNodeFiresTheStoredOne() {
    Keel oldNode =
        node(b -> b.schedule(Schedule.cron("report", "0 3 * * *").job(task("v1")).build()));
    assertThat(info(oldNode, "report").version()).isEqualTo(1);
    Instant before = info(oldNode, "report").nextFireTimes().get(0);

    // Same trigger, new payload: next fire time kept.
    Keel newNode =
        another(b -> b.schedule(Schedule.cron("report", "0 3 * * *").job(task("v2")).build()));
    ScheduleInfo v2 = info(newNode, "report");
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.nextFireTimes().get(0)).isEqualTo(before);

    // New trigger: the next fire time follows it.
    Keel newerNode =
        another(
            b ->
                b.schedule(
                    Schedule.cron("report", "30 4 * * *")
                        .job(task("v3"))
                        .misfire(MisfirePolicy.skip())
                        .build()));
    ScheduleInfo v3 = info(newerNode, "report");
    assertThat(v3.version()).isEqualTo(3);
    assertThat(v3.trigger().describe()).contains("30 4 * * *");
    assertThat(v3.nextFireTimes().get(0).atZone(ZoneOffset.UTC).toLocalTime())
        .isEqualTo(LocalTime.of(4, 30));

    // A node still running the same declaration changes nothing.
    Keel sameAgain =
        another(
            b ->
                b.schedule(
                    Schedule.cron("report", "30 4 * * *")
                        .job(task("v3"))
                        .misfire(MisfirePolicy.skip())
                        .build()));
    assertThat(info(sameAgain, "report").version()).isEqualTo(3);
  }

  @Test
  void theOldNodeFiresTheNewDeclarationsJob() {
    Keel oldNode =
        node(b -> b.schedule(Schedule.every("tick", Duration.ofHours(1)).job(task("old")).build()));
    oldNode.schedules().list();
    another(b -> b.schedule(Schedule.every("tick", Duration.ofHours(1)).job(task("new")).build()))
        .schedules()
        .list();
    Instant now = serverNow(oldNode);
    rewind(oldNode, "tick", now.truncatedTo(ChronoUnit.HOURS));
    KeelTesting.fireDueSchedules(oldNode);
    assertThat(KeelTesting.enqueued(oldNode).ofSchedule("tick").payloads(Task.class))
        .containsExactly(new Task("new"));
  }

  @Test
  void undeclaredSchedulesAreKeptUntilRemovedOrPruned() {
    Keel first =
        node(
            b ->
                b.schedule(Schedule.every("keep", Duration.ofMinutes(5)).job(task("k")).build())
                    .schedule(Schedule.every("old", Duration.ofMinutes(5)).job(task("o")).build()));
    first.schedules().list();
    Keel plain =
        another(
            b -> b.schedule(Schedule.every("keep", Duration.ofMinutes(5)).job(task("k")).build()));
    assertThat(plain.schedules().list())
        .extracting(ScheduleInfo::name)
        .containsExactly("keep", "old");
    Keel pruning =
        another(
            b ->
                b.schedule(Schedule.every("keep", Duration.ofMinutes(5)).job(task("k")).build())
                    .pruneUndeclaredSchedules(true));
    assertThat(pruning.schedules().list()).extracting(ScheduleInfo::name).containsExactly("keep");
    assertThat(first.schedules().remove("keep")).isTrue();
    assertThat(first.schedules().remove("keep")).isFalse();
    assertThat(first.schedules().list()).isEmpty();
  }

  @Test
  void pauseOnOneNodeStopsTheScheduleOnAnotherUntilResumed() {
    Keel a =
        node(b -> b.schedule(Schedule.every("p", Duration.ofSeconds(1)).job(task("p")).build()));
    a.schedules().list();
    Keel b = another(x -> {});
    a.schedules().pause("p");
    assertThat(info(b, "p").paused()).isTrue();
    fixture.passTime(Duration.ofMillis(1100));
    FireReport report = b.schedules().fireDue();
    assertThat(report.due()).isZero();
    assertThat(KeelTesting.enqueued(b).ofSchedule("p").jobs()).isEmpty();

    ScheduleInfo resumed = b.schedules().resume("p");
    assertThat(resumed.paused()).isFalse();
    assertThat(resumed.nextFireTimes().get(0))
        .as("resume starts after now: times passed while paused never fire")
        .isAfter(serverNow(b).minusMillis(5));
    assertThat(info(a, "p").paused()).isFalse();
    fixture.passTime(Duration.ofMillis(1100));
    KeelTesting.fireDueSchedules(a);
    assertThat(KeelTesting.enqueued(a).ofSchedule("p").jobs()).isNotEmpty();
    assertThatThrownBy(() -> a.schedules().pause("missing"))
        .isInstanceOf(NoSuchScheduleException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void triggerEnqueuesOnceWithoutDisturbingTheRegularSequence() {
    Keel keel =
        node(b -> b.schedule(Schedule.every("manual", Duration.ofHours(6)).job(task("m")).build()));
    ScheduleInfo before = info(keel, "manual");
    EnqueueResult r = keel.schedules().trigger("manual");
    assertThat(r.created()).isTrue();
    Job job = keel.client().find(r.id()).orElseThrow();
    assertThat(job.metadata())
        .containsEntry(Schedule.SCHEDULE_KEY, "manual")
        .containsEntry(Schedule.TRIGGER_KEY, "manual")
        .doesNotContainKey(Schedule.FIRE_TIME_KEY);
    ScheduleInfo after = info(keel, "manual");
    assertThat(after.nextFireTimes()).isEqualTo(before.nextFireTimes());
    assertThat(after.lastFireAt()).isNull();
    assertThat(after.version()).isEqualTo(before.version());
    // The manual job does not count as an overlapping previous fire either.
    rewind(keel, "manual", serverNow(keel).truncatedTo(ChronoUnit.HOURS));
    assertThat(KeelTesting.fireDueSchedules(keel)).isEqualTo(1);
    assertThatThrownBy(() -> keel.schedules().trigger("nope"))
        .isInstanceOf(NoSuchScheduleException.class);
  }

  /**
   * Every 10 minutes from 55 minutes ago: six fire times passed while "every node was down", all
   * older than the default one-minute misfire window.
   */
  @Test
  void misfirePoliciesDecideWhatMissedFireTimesBecome() {
    Keel keel = node(b -> {});
    Instant now = serverNow(keel).truncatedTo(ChronoUnit.MILLIS);
    Instant anchor = now.minus(Duration.ofMinutes(55));
    record Case(String name, MisfirePolicy policy, Duration window, int jobs, Instant latest) {}
    List<Case> cases =
        List.of(
            new Case(
                "once", MisfirePolicy.fireOnce(), null, 1, anchor.plus(Duration.ofMinutes(50))),
            new Case(
                "all4", MisfirePolicy.fireAll(4), null, 4, anchor.plus(Duration.ofMinutes(50))),
            new Case(
                "all100", MisfirePolicy.fireAll(100), null, 6, anchor.plus(Duration.ofMinutes(50))),
            new Case("skip", MisfirePolicy.skip(), null, 0, null),
            new Case(
                "window20",
                MisfirePolicy.fireOnce(),
                Duration.ofMinutes(20),
                3,
                anchor.plus(Duration.ofMinutes(50))));
    for (Case c : cases) {
      Schedule.Builder s =
          Schedule.every(c.name(), Duration.ofMinutes(10))
              .startingAt(anchor)
              .job(task(c.name()))
              .misfire(c.policy());
      if (c.window() != null) {
        s.misfireWindow(c.window());
      }
      keel.schedules().declare(s.build());
      rewind(keel, c.name(), anchor);
    }
    KeelTesting.fireDueSchedules(keel);
    for (Case c : cases) {
      List<Instant> times = KeelTesting.enqueued(keel).ofSchedule(c.name()).fireTimes();
      assertThat(times).as(c.name()).hasSize(c.jobs());
      ScheduleInfo info = info(keel, c.name());
      assertThat(info.nextFireTimes().get(0))
          .as(c.name())
          .isEqualTo(anchor.plus(Duration.ofMinutes(60)));
      assertThat(info.lastFireAt()).as(c.name()).isEqualTo(c.latest());
    }
    assertThat(KeelTesting.enqueued(keel).ofSchedule("all4").fireTimes())
        .containsExactly(
            anchor.plus(Duration.ofMinutes(20)),
            anchor.plus(Duration.ofMinutes(30)),
            anchor.plus(Duration.ofMinutes(40)),
            anchor.plus(Duration.ofMinutes(50)));
    // 20-minute window: 40 and 50 are on time (a job each), 0..30 are missed (fireOnce: the
    // latest).
    assertThat(KeelTesting.enqueued(keel).ofSchedule("window20").fireTimes())
        .containsExactly(
            anchor.plus(Duration.ofMinutes(30)),
            anchor.plus(Duration.ofMinutes(40)),
            anchor.plus(Duration.ofMinutes(50)));
    assertThat(KeelTesting.enqueued(keel).ofSchedule("once").fireTimes())
        .containsExactly(anchor.plus(Duration.ofMinutes(50)));
  }

  @Test
  void daylightSavingDaysFireOncePerLocalDayInBerlinAndNewYork() {
    Keel keel = node(b -> {});
    checkOncePerLocalDay(
        keel, "berlin", "0 2 * * *", ZoneId.of("Europe/Berlin"), LocalTime.of(2, 0));
    checkOncePerLocalDay(
        keel, "new-york", "30 1 * * *", ZoneId.of("America/New_York"), LocalTime.of(1, 30));
  }

  private void checkOncePerLocalDay(
      Keel keel, String name, String cron, ZoneId zone, LocalTime at) {
    keel.schedules()
        .declare(
            Schedule.cron(name, cron)
                .zone(zone)
                .job(task(name))
                .misfire(MisfirePolicy.fireAll(1000))
                .overlap(OverlapPolicy.ALLOW)
                .build());
    Instant now = serverNow(keel);
    LocalDate start = LocalDate.ofInstant(now, zone).minusDays(400);
    rewind(keel, name, expectedFire(start, at, zone));
    KeelTesting.fireDueSchedules(keel);
    List<Instant> times = KeelTesting.enqueued(keel).ofSchedule(name).fireTimes();
    assertThat(times.size()).as(name + ": one job per day for 400 days").isBetween(399, 402);
    Set<LocalDate> days = new HashSet<>();
    for (int i = 0; i < times.size(); i++) {
      LocalDate day = start.plusDays(i);
      assertThat(times.get(i)).as(name + " on " + day).isEqualTo(expectedFire(day, at, zone));
      assertThat(days.add(day)).isTrue();
    }
    // Both kinds of transition day lie in the range and fired exactly once.
    ZoneOffsetTransition t = zone.getRules().previousTransition(now);
    int gaps = 0;
    int overlaps = 0;
    for (int i = 0; i < 2; i++) {
      LocalDate day = LocalDate.ofInstant(t.getInstant(), zone);
      assertThat(days).contains(day);
      if (t.isGap()) {
        gaps++;
      } else {
        overlaps++;
      }
      t = zone.getRules().previousTransition(t.getInstant());
    }
    assertThat(gaps).isEqualTo(1);
    assertThat(overlaps).isEqualTo(1);
    assertThat(info(keel, name).nextFireTimes().get(0))
        .isEqualTo(expectedFire(start.plusDays(times.size()), at, zone));
  }

  /**
   * The rule, stated independently of Keel: a local time that does not exist fires at the end of
   * the gap; one that exists twice fires at its first occurrence.
   */
  private static Instant expectedFire(LocalDate day, LocalTime at, ZoneId zone) {
    LocalDateTime local = day.atTime(at);
    List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
    if (offsets.isEmpty()) {
      return zone.getRules().getTransition(local).getInstant();
    }
    // The first occurrence is the one under the larger offset (before the clocks went back).
    return local.toInstant(
        Collections.max(offsets, java.util.Comparator.comparingInt(ZoneOffset::getTotalSeconds)));
  }

  /**
   * Two nodes, two scheduler threads each, race over the same schedules for many fire times: every
   * fire time of every schedule gets exactly one job, with no gap.
   */
  @Test
  void schedulersOfTwoNodesRacingCreateExactlyOneJobPerFireTime() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      names.add("race-" + i);
    }
    Consumer<Keel.Builder> declare =
        b -> {
          for (String n : names) {
            b.schedule(
                Schedule.every(n, Duration.ofSeconds(1))
                    .job(task(n))
                    .misfireWindow(Duration.ofHours(1))
                    .overlap(OverlapPolicy.ALLOW)
                    .build());
          }
        };
    Keel a = node(declare);
    Keel b = another(declare);
    a.schedules().list();
    Instant start = serverNow(a).truncatedTo(ChronoUnit.SECONDS).minusSeconds(120);
    for (String n : names) {
      rewind(a, n, start);
    }
    List<Keel> racers = List.of(a, b, a, b);
    ExecutorService pool = Executors.newFixedThreadPool(racers.size());
    AtomicInteger stale = new AtomicInteger();
    try {
      for (int round = 0; round < 3; round++) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (Keel k : racers) {
          done.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < 100; i++) {
                      FireReport r = k.schedules().fireDue();
                      stale.addAndGet(r.stale());
                      if (r.due() == 0) {
                        return null;
                      }
                    }
                    throw new AssertionError("schedules stayed due");
                  }));
        }
        go.countDown();
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
        fixture.passTime(Duration.ofMillis(1000));
      }
    } finally {
      pool.shutdownNow();
    }
    for (String n : names) {
      List<Instant> times = KeelTesting.enqueued(a).ofSchedule(n).fireTimes();
      assertThat(times.size()).as(n).isGreaterThanOrEqualTo(121);
      for (int i = 0; i < times.size(); i++) {
        assertThat(times.get(i)).as(n + " fire " + i).isEqualTo(start.plusSeconds(i));
      }
      assertThat(info(a, n).lastFireAt()).isEqualTo(times.get(times.size() - 1));
    }
  }

  @Test
  void overlapSkipLeavesOutFiresWhileThePreviousJobIsActive() {
    Keel keel =
        node(
            b ->
                b.schedule(Schedule.every("skip", Duration.ofHours(1)).job(task("s")).build())
                    .schedule(
                        Schedule.every("allow", Duration.ofHours(1))
                            .job(task("a"))
                            .overlap(OverlapPolicy.ALLOW)
                            .build()));
    keel.schedules().list();
    for (int i = 0; i < 3; i++) {
      // The latest hourly fire time, again: three fires, one job each unless skipped.
      Instant latest = serverNow(keel).truncatedTo(ChronoUnit.HOURS);
      rewind(keel, "skip", latest);
      rewind(keel, "allow", latest);
      KeelTesting.fireDueSchedules(keel);
    }
    assertThat(KeelTesting.enqueued(keel).ofSchedule("skip").jobs())
        .as("nothing ran the first job: later fires are skipped")
        .hasSize(1);
    assertThat(KeelTesting.enqueued(keel).ofSchedule("allow").jobs()).hasSize(3);
    assertThat(info(keel, "skip").lastJobState()).isEqualTo(JobState.PENDING);
  }

  @Test
  void workersFireSchedulesOnTheirOwn() {
    AtomicInteger ran = new AtomicInteger();
    Keel keel =
        node(
            b ->
                b.register(
                        JobType.of(
                            "recurring.task",
                            Task.class,
                            JobHandler.of(t -> ran.incrementAndGet())))
                    .scheduleCheckInterval(Duration.ofMillis(20))
                    .schedule(
                        Schedule.every("tick", Duration.ofSeconds(1)).job(task("tick")).build()));
    Worker worker = keel.worker().pollInterval(Duration.ofMillis(20)).build();
    closeAfterTest.add(worker);
    worker.start();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              fixture.passTime(Duration.ofMillis(200));
              return ran.get() >= 2;
            });
    ScheduleInfo tick = info(keel, "tick");
    assertThat(tick.lastFireAt()).isNotNull();
    assertThat(KeelTesting.enqueued(keel).ofSchedule("tick").fireTimes()).doesNotHaveDuplicates();
  }
}
