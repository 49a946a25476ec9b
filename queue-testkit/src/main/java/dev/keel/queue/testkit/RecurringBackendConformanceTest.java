package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.JobState;
import dev.keel.queue.recurring.OverlapPolicy;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.DueSchedules;
import dev.keel.queue.spi.DueSchedulesRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.ScheduleChangeResult;
import dev.keel.queue.spi.ScheduleFire;
import dev.keel.queue.spi.ScheduleFireOutcome;
import dev.keel.queue.spi.ScheduleFireOutcome.Kind;
import dev.keel.queue.spi.ScheduleFireRequest;
import dev.keel.queue.spi.ScheduleListRequest;
import dev.keel.queue.spi.SchedulePage;
import dev.keel.queue.spi.SchedulePauseRequest;
import dev.keel.queue.spi.ScheduleRef;
import dev.keel.queue.spi.ScheduleUpsert;
import dev.keel.queue.spi.ScheduleUpsertRequest;
import dev.keel.queue.spi.ScheduleUpsertResult;
import dev.keel.queue.spi.StoredSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The recurring-schedule calls of the backend SPI: storage by name, pause, paging, the due index
 * and the compare-and-set fire that gives one job per fire time. Every backend module runs it with
 * its {@link BackendFixture}; {@link RecurringKeelConformanceTest} covers the same from {@code
 * Keel}'s side. Specs are opaque to backends, so this suite stores arbitrary text.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RecurringBackendConformanceTest {
  private BackendFixture fixture;
  private TestJobs jobs;
  private QueueBackend backend;
  private final List<QueueBackend> others = new ArrayList<>();

  protected abstract BackendFixture createFixture();

  @BeforeAll
  void setUpFixture() {
    fixture = createFixture();
    jobs = new TestJobs(fixture.clock());
  }

  @BeforeEach
  void open() {
    backend = fixture.openEmpty();
    assertThat(backend.capabilities().schedules()).isTrue();
  }

  @AfterEach
  void closeBackends() {
    others.forEach(QueueBackend::close);
    others.clear();
    backend.close();
  }

  @AfterAll
  void tearDownFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private Instant now() {
    return backend.ping().serverTime().truncatedTo(ChronoUnit.MICROS);
  }

  private static ScheduleUpsert upsert(String name, String spec, String trigger, Instant next) {
    return new ScheduleUpsert(name, spec, trigger, next);
  }

  private ScheduleUpsertResult store(boolean removeOthers, ScheduleUpsert... upserts) {
    return backend.upsertSchedules(new ScheduleUpsertRequest(List.of(upserts), removeOthers));
  }

  private StoredSchedule get(String name) {
    return backend
        .findSchedule(new ScheduleRef(name))
        .orElseThrow(() -> new AssertionError("schedule " + name + " not stored"));
  }

  private NewJob jobOf(String schedule) {
    return jobs.of("recurring.job").metadata("keel.schedule", schedule).build();
  }

  private ScheduleFire fire(StoredSchedule s, List<NewJob> jobs, Instant next, OverlapPolicy o) {
    return new ScheduleFire(
        s.name(),
        s.version(),
        s.nextFireAt(),
        jobs,
        next,
        jobs.isEmpty() ? null : s.nextFireAt(),
        o);
  }

  private ScheduleFireOutcome fireOne(ScheduleFire fire) {
    List<ScheduleFireOutcome> outcomes =
        backend.fireSchedules(new ScheduleFireRequest(List.of(fire))).outcomes();
    assertThat(outcomes).hasSize(1);
    assertThat(outcomes.get(0).name()).isEqualTo(fire.name());
    return outcomes.get(0);
  }

  @Test
  void upsertCreatesThenReportsUnchangedThenUpdatesKeepingTheNextFireTimeUnlessTheTriggerChanged() {
    Instant t1 = now().plus(Duration.ofHours(1));
    ScheduleUpsertResult first =
        store(false, upsert("b", "spec-b", "trig-b", t1), upsert("a", "spec-a", "trig-a", t1));
    assertThat(first.created()).containsExactly("b", "a");
    assertThat(first.updated()).isEmpty();
    StoredSchedule a = get("a");
    assertThat(a.version()).isEqualTo(1);
    assertThat(a.paused()).isFalse();
    assertThat(a.nextFireAt()).isEqualTo(t1);
    assertThat(a.lastFireAt()).isNull();
    assertThat(a.lastJobId()).isNull();
    assertThat(a.lastJobState()).isNull();

    ScheduleUpsertResult again = store(false, upsert("a", "spec-a", "trig-a", t1.plusSeconds(5)));
    assertThat(again.unchanged()).containsExactly("a");
    assertThat(get("a").nextFireAt()).isEqualTo(t1);

    ScheduleUpsertResult specOnly =
        store(false, upsert("a", "spec-a2", "trig-a", t1.plusSeconds(60)));
    assertThat(specOnly.updated()).containsExactly("a");
    StoredSchedule a2 = get("a");
    assertThat(a2.version()).isEqualTo(2);
    assertThat(a2.spec()).isEqualTo("spec-a2");
    assertThat(a2.nextFireAt()).as("trigger unchanged: next fire time kept").isEqualTo(t1);

    Instant t2 = t1.plusSeconds(3600);
    store(false, upsert("a", "spec-a3", "trig-a3", t2));
    StoredSchedule a3 = get("a");
    assertThat(a3.version()).isEqualTo(3);
    assertThat(a3.trigger()).isEqualTo("trig-a3");
    assertThat(a3.nextFireAt()).isEqualTo(t2);
    assertThat(get("b").version()).isEqualTo(1);
  }

  @Test
  void upsertKeepsPauseStateAndHistory() {
    Instant past = now().minusSeconds(5);
    store(false, upsert("s", "v1", "t", past));
    StoredSchedule s = get("s");
    NewJob job = jobOf("s");
    assertThat(fireOne(fire(s, List.of(job), past.plusSeconds(3600), OverlapPolicy.ALLOW)).kind())
        .isEqualTo(Kind.FIRED);
    backend.pauseSchedule(new SchedulePauseRequest("s", true, null));
    store(false, upsert("s", "v2", "t2", past.plusSeconds(7200)));
    StoredSchedule after = get("s");
    assertThat(after.paused()).isTrue();
    assertThat(after.lastJobId()).isEqualTo(job.id());
    assertThat(after.lastFireAt()).isEqualTo(past);
    assertThat(after.nextFireAt()).isEqualTo(past.plusSeconds(7200));
  }

  @Test
  void upsertWithRemoveOthersPrunesEveryUndeclaredScheduleAndNothingElse() {
    Instant t = now().plusSeconds(60);
    store(false, upsert("c", "c", "c", t), upsert("a", "a", "a", t), upsert("b", "b", "b", t));
    ScheduleUpsertResult r = store(true, upsert("b", "b", "b", t));
    assertThat(r.unchanged()).containsExactly("b");
    assertThat(r.removed()).containsExactly("a", "c");
    assertThat(backend.findSchedule(new ScheduleRef("a"))).isEmpty();
    assertThat(backend.listSchedules(new ScheduleListRequest(null, 10)).schedules())
        .extracting(StoredSchedule::name)
        .containsExactly("b");
  }

  @Test
  void upsertRefusesDuplicateNamesAndWritesNothing() {
    Instant t = now().plusSeconds(60);
    assertThatThrownBy(
            () ->
                store(
                    false,
                    upsert("x", "1", "1", t),
                    upsert("y", "1", "1", t),
                    upsert("x", "2", "2", t)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x");
    assertThat(backend.listSchedules(new ScheduleListRequest(null, 10)).schedules()).isEmpty();
  }

  @Test
  void removeDeletesTheScheduleButNotItsJobs() {
    Instant past = now().minusSeconds(1);
    store(false, upsert("r", "r", "r", past));
    NewJob job = jobOf("r");
    fireOne(fire(get("r"), List.of(job), past.plusSeconds(60), OverlapPolicy.SKIP));
    ScheduleChangeResult removed = backend.removeSchedule(new ScheduleRef("r"));
    assertThat(removed.found()).isTrue();
    assertThat(removed.changed()).isTrue();
    assertThat(backend.findSchedule(new ScheduleRef("r"))).isEmpty();
    assertThat(backend.find(new JobRef("default", job.id()))).isPresent();
    assertThat(backend.removeSchedule(new ScheduleRef("r")).found()).isFalse();
  }

  @Test
  void pausedSchedulesAreNeverDueAndResumeSetsTheNextFireTime() {
    Instant past = now().minusSeconds(10);
    store(false, upsert("p", "p", "p", past));
    ScheduleChangeResult paused = backend.pauseSchedule(new SchedulePauseRequest("p", true, null));
    assertThat(paused.changed()).isTrue();
    assertThat(paused.schedule().orElseThrow().paused()).isTrue();
    assertThat(backend.pauseSchedule(new SchedulePauseRequest("p", true, null)).changed())
        .isFalse();
    DueSchedules due = backend.dueSchedules(new DueSchedulesRequest(10));
    assertThat(due.due()).isEmpty();
    assertThat(due.nextFireAt()).as("paused schedules have no next fire time").isNull();

    Instant resumeAt = now().minusSeconds(1);
    ScheduleChangeResult resumed =
        backend.pauseSchedule(new SchedulePauseRequest("p", false, resumeAt));
    assertThat(resumed.changed()).isTrue();
    assertThat(resumed.schedule().orElseThrow().paused()).isFalse();
    assertThat(resumed.schedule().orElseThrow().nextFireAt()).isEqualTo(resumeAt);
    assertThat(
            backend
                .pauseSchedule(new SchedulePauseRequest("p", false, resumeAt.plusSeconds(99)))
                .changed())
        .isFalse();
    assertThat(get("p").nextFireAt()).isEqualTo(resumeAt);
    assertThat(backend.dueSchedules(new DueSchedulesRequest(10)).due())
        .extracting(StoredSchedule::name)
        .containsExactly("p");
    assertThat(backend.pauseSchedule(new SchedulePauseRequest("nope", true, null)).found())
        .isFalse();
  }

  @Test
  void listPagesInNameOrderWithTheLastJobsCurrentState() {
    Instant past = now().minusSeconds(1);
    for (String n : List.of("e", "b", "d", "a", "c")) {
      store(false, upsert(n, n, n, past));
    }
    SchedulePage p1 = backend.listSchedules(new ScheduleListRequest(null, 2));
    assertThat(p1.schedules()).extracting(StoredSchedule::name).containsExactly("a", "b");
    assertThat(p1.nextAfterName()).isEqualTo("b");
    SchedulePage p2 = backend.listSchedules(new ScheduleListRequest("b", 2));
    assertThat(p2.schedules()).extracting(StoredSchedule::name).containsExactly("c", "d");
    SchedulePage p3 = backend.listSchedules(new ScheduleListRequest("d", 2));
    assertThat(p3.schedules()).extracting(StoredSchedule::name).containsExactly("e");
    assertThat(p3.nextAfterName()).isNull();
    assertThat(backend.listSchedules(new ScheduleListRequest(null, 5)).nextAfterName()).isNull();

    NewJob job = jobOf("c");
    fireOne(fire(get("c"), List.of(job), past.plusSeconds(600), OverlapPolicy.SKIP));
    StoredSchedule c = backend.listSchedules(new ScheduleListRequest("b", 1)).schedules().get(0);
    assertThat(c.lastJobId()).isEqualTo(job.id());
    assertThat(c.lastJobTenant()).isEqualTo("default");
    assertThat(c.lastJobState()).isEqualTo(JobState.PENDING);
    backend.cancel(new CancelRequest(new JobRef("default", job.id()), "test"));
    assertThat(get("c").lastJobState()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void dueListsUnpausedSchedulesEarliestFirstAndNamesTheNextFireTime() {
    Instant now = now();
    store(
        false,
        upsert("late", "s", "t", now.minusSeconds(1)),
        upsert("early", "s", "t", now.minusSeconds(3)),
        upsert("future", "s", "t", now.plusSeconds(3600)),
        upsert("later", "s", "t", now.plusSeconds(7200)),
        upsert("paused", "s", "t", now.minusSeconds(5)));
    backend.pauseSchedule(new SchedulePauseRequest("paused", true, null));
    DueSchedules due = backend.dueSchedules(new DueSchedulesRequest(10));
    assertThat(due.due()).extracting(StoredSchedule::name).containsExactly("early", "late");
    assertThat(due.nextFireAt()).isEqualTo(now.plusSeconds(3600));
    assertThat(Duration.between(now, due.now()).abs()).isLessThan(Duration.ofSeconds(5));
    DueSchedules one = backend.dueSchedules(new DueSchedulesRequest(1));
    assertThat(one.due()).extracting(StoredSchedule::name).containsExactly("early");
  }

  @Test
  void fireIsACompareAndSetOnVersionAndNextFireTime() {
    Instant past = now().minusSeconds(2);
    Instant next = past.plusSeconds(60);
    store(false, upsert("f", "f", "f", past));
    StoredSchedule s = get("f");

    ScheduleFire wrongVersion =
        new ScheduleFire("f", 2, past, List.of(jobOf("f")), next, past, OverlapPolicy.ALLOW);
    ScheduleFire wrongTime =
        new ScheduleFire(
            "f", 1, past.minusSeconds(1), List.of(jobOf("f")), next, past, OverlapPolicy.ALLOW);
    ScheduleFire missing =
        new ScheduleFire("nope", 1, past, List.of(jobOf("nope")), next, past, OverlapPolicy.ALLOW);
    assertThat(fireOne(wrongVersion).kind()).isEqualTo(Kind.STALE);
    assertThat(fireOne(wrongTime).kind()).isEqualTo(Kind.STALE);
    assertThat(fireOne(missing).kind()).isEqualTo(Kind.STALE);
    assertThat(backend.find(new JobRef("default", wrongVersion.jobs().get(0).id()))).isEmpty();

    NewJob job = jobOf("f");
    ScheduleFireOutcome fired = fireOne(fire(s, List.of(job), next, OverlapPolicy.ALLOW));
    assertThat(fired.kind()).isEqualTo(Kind.FIRED);
    assertThat(fired.jobs()).hasSize(1);
    assertThat(fired.jobs().get(0).id()).isEqualTo(job.id());
    assertThat(fired.jobs().get(0).created()).isTrue();
    StoredSchedule after = get("f");
    assertThat(after.nextFireAt()).isEqualTo(next);
    assertThat(after.lastFireAt()).isEqualTo(past);
    assertThat(after.lastJobId()).isEqualTo(job.id());
    assertThat(after.version()).isEqualTo(1);
    assertThat(backend.find(new JobRef("default", job.id())).orElseThrow().metadata())
        .containsEntry("keel.schedule", "f");

    NewJob second = jobOf("f");
    assertThat(fireOne(fire(s, List.of(second), next, OverlapPolicy.ALLOW)).kind())
        .as("the same fire again is stale: nextFireAt moved on")
        .isEqualTo(Kind.STALE);
    assertThat(backend.find(new JobRef("default", second.id()))).isEmpty();

    backend.pauseSchedule(new SchedulePauseRequest("f", true, null));
    StoredSchedule paused = get("f");
    assertThat(
            fireOne(fire(paused, List.of(jobOf("f")), next.plusSeconds(60), OverlapPolicy.ALLOW))
                .kind())
        .isEqualTo(Kind.STALE);
  }

  @Test
  void aFireWithoutJobsOnlyMovesTheScheduleOn() {
    Instant past = now().minusSeconds(2);
    store(false, upsert("skip", "s", "t", past));
    ScheduleFireOutcome o =
        fireOne(fire(get("skip"), List.of(), past.plusSeconds(30), OverlapPolicy.SKIP));
    assertThat(o.kind()).isEqualTo(Kind.FIRED);
    assertThat(o.jobs()).isEmpty();
    StoredSchedule after = get("skip");
    assertThat(after.nextFireAt()).isEqualTo(past.plusSeconds(30));
    assertThat(after.lastFireAt()).isNull();
    assertThat(after.lastJobId()).isNull();
  }

  @Test
  void severalJobsInOneFireAreAllInsertedAndTheLastIsRemembered() {
    Instant past = now().minusSeconds(10);
    store(false, upsert("many", "s", "t", past));
    List<NewJob> three = List.of(jobOf("many"), jobOf("many"), jobOf("many"));
    StoredSchedule s = get("many");
    ScheduleFireOutcome o =
        fireOne(
            new ScheduleFire(
                "many",
                1,
                past,
                three,
                past.plusSeconds(60),
                past.plusSeconds(2),
                OverlapPolicy.SKIP));
    assertThat(o.jobs())
        .extracting(r -> r.id())
        .containsExactly(three.get(0).id(), three.get(1).id(), three.get(2).id());
    assertThat(get("many").lastJobId()).isEqualTo(three.get(2).id());
    assertThat(get("many").lastFireAt()).isEqualTo(past.plusSeconds(2));
    for (NewJob j : three) {
      assertThat(backend.find(new JobRef("default", j.id())).orElseThrow().state())
          .isEqualTo(JobState.PENDING);
    }
    assertThat(s.version()).isEqualTo(get("many").version());
  }

  @Test
  void overlapPoliciesLookAtTheLastJobsState() {
    Instant past = now().minusSeconds(30);
    for (String n : List.of("skip", "wait", "allow")) {
      store(false, upsert(n, n, n, past));
      fireOne(fire(get(n), List.of(jobOf(n)), past.plusSeconds(1), OverlapPolicy.ALLOW));
    }
    NewJob blockedSkip = jobOf("skip");
    ScheduleFireOutcome skip =
        fireOne(fire(get("skip"), List.of(blockedSkip), past.plusSeconds(2), OverlapPolicy.SKIP));
    assertThat(skip.kind()).isEqualTo(Kind.SKIPPED_OVERLAP);
    assertThat(get("skip").nextFireAt()).isEqualTo(past.plusSeconds(2));
    assertThat(backend.find(new JobRef("default", blockedSkip.id()))).isEmpty();

    StoredSchedule waitBefore = get("wait");
    ScheduleFireOutcome wait =
        fireOne(fire(waitBefore, List.of(jobOf("wait")), past.plusSeconds(2), OverlapPolicy.WAIT));
    assertThat(wait.kind()).isEqualTo(Kind.WAITING_OVERLAP);
    assertThat(get("wait").nextFireAt()).isEqualTo(waitBefore.nextFireAt());

    ScheduleFireOutcome allow =
        fireOne(
            fire(get("allow"), List.of(jobOf("allow")), past.plusSeconds(2), OverlapPolicy.ALLOW));
    assertThat(allow.kind()).isEqualTo(Kind.FIRED);

    // Once the previous job is terminal, a waiting fire goes ahead.
    StoredSchedule w = get("wait");
    backend.cancel(new CancelRequest(new JobRef("default", w.lastJobId()), "done"));
    assertThat(
            fireOne(fire(w, List.of(jobOf("wait")), past.plusSeconds(2), OverlapPolicy.WAIT))
                .kind())
        .isEqualTo(Kind.FIRED);
  }

  @Test
  void firesInOneRequestAreIndependent() {
    Instant past = now().minusSeconds(5);
    store(false, upsert("one", "s", "t", past), upsert("two", "s", "t", past));
    ScheduleFire stale =
        new ScheduleFire(
            "one", 7, past, List.of(jobOf("one")), past.plusSeconds(9), past, OverlapPolicy.ALLOW);
    ScheduleFire good =
        fire(get("two"), List.of(jobOf("two")), past.plusSeconds(9), OverlapPolicy.ALLOW);
    List<ScheduleFireOutcome> outcomes =
        backend.fireSchedules(new ScheduleFireRequest(List.of(stale, good))).outcomes();
    assertThat(outcomes)
        .extracting(ScheduleFireOutcome::kind)
        .containsExactly(Kind.STALE, Kind.FIRED);
    assertThat(get("one").nextFireAt()).isEqualTo(past);
    assertThat(get("two").nextFireAt()).isEqualTo(past.plusSeconds(9));
  }

  /**
   * Two backends (two nodes) and several threads each race to fire the same fire time of the same
   * schedules, round after round: exactly one fire of each round wins, so one job per fire time.
   */
  @Test
  void racingFiresOfOneFireTimeCreateExactlyOneJob() throws Exception {
    QueueBackend second = fixture.openAnother();
    others.add(second);
    List<QueueBackend> nodes = List.of(backend, second, backend, second);
    Instant start = now().minusSeconds(600);
    List<String> names = List.of("race-a", "race-b", "race-c");
    for (String n : names) {
      store(false, upsert(n, n, n, start));
    }
    int rounds = 25;
    ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
    try {
      for (int round = 0; round < rounds; round++) {
        Instant at = start.plusSeconds(round);
        Instant next = at.plusSeconds(1);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<ScheduleFireOutcome>>> results = new ArrayList<>();
        for (QueueBackend node : nodes) {
          List<ScheduleFire> fires = new ArrayList<>();
          for (String n : names) {
            fires.add(new ScheduleFire(n, 1, at, List.of(jobOf(n)), next, at, OverlapPolicy.ALLOW));
          }
          results.add(
              pool.submit(
                  () -> {
                    go.await();
                    return node.fireSchedules(new ScheduleFireRequest(fires)).outcomes();
                  }));
        }
        go.countDown();
        int[] firedPerSchedule = new int[names.size()];
        for (Future<List<ScheduleFireOutcome>> f : results) {
          List<ScheduleFireOutcome> outcomes = f.get(30, TimeUnit.SECONDS);
          for (int i = 0; i < names.size(); i++) {
            Kind kind = outcomes.get(i).kind();
            assertThat(kind).isIn(Kind.FIRED, Kind.STALE);
            if (kind == Kind.FIRED) {
              firedPerSchedule[i]++;
            }
          }
        }
        for (int i = 0; i < names.size(); i++) {
          assertThat(firedPerSchedule[i])
              .as("fires of %s at round %d that won", names.get(i), round)
              .isEqualTo(1);
          assertThat(get(names.get(i)).nextFireAt()).isEqualTo(next);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    long created =
        backend.list(dev.keel.queue.JobQuery.tenant("default").withLimit(1000)).jobs().size();
    assertThat(created).isEqualTo((long) rounds * names.size());
  }
}
