package dev.keel.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.Job;
import dev.keel.queue.JobState;
import dev.keel.queue.recurring.OverlapPolicy;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ClaimRequest;
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
import dev.keel.queue.spi.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The schedule calls of the SPI, checked directly against the contract on real PostgreSQL. */
class PostgresScheduleStoreTest {
  private static PostgresFixture fixture;
  private QueueBackend backend;

  @BeforeAll
  static void start() {
    fixture = new PostgresFixture(PostgresScheduleStoreTest.class);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @BeforeEach
  void open() {
    backend = fixture.openEmpty();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  // ---- helpers
  // -----------------------------------------------------------------------------------

  /** The server's now, at the microsecond precision core hands in. */
  private Instant now() {
    return backend.ping().serverTime().truncatedTo(ChronoUnit.MICROS);
  }

  private static ScheduleUpsert schedule(String name, String spec, String trigger, Instant next) {
    return new ScheduleUpsert(name, spec, trigger, next);
  }

  private ScheduleUpsertResult upsert(boolean removeOthers, ScheduleUpsert... schedules) {
    return backend.upsertSchedules(new ScheduleUpsertRequest(List.of(schedules), removeOthers));
  }

  private StoredSchedule find(String name) {
    return backend.findSchedule(new ScheduleRef(name)).orElseThrow();
  }

  private static NewJob job() {
    return TestJobs.job("report", "recurring", "{\"n\":1}", null);
  }

  private static ScheduleFire fire(
      StoredSchedule s, List<NewJob> jobs, Instant next, OverlapPolicy overlap) {
    return new ScheduleFire(
        s.name(),
        s.version(),
        s.nextFireAt(),
        jobs,
        next,
        jobs.isEmpty() ? null : s.nextFireAt(),
        overlap);
  }

  private ScheduleFireOutcome fireOne(ScheduleFire fire) {
    List<ScheduleFireOutcome> outcomes =
        backend.fireSchedules(new ScheduleFireRequest(List.of(fire))).outcomes();
    assertThat(outcomes).hasSize(1);
    return outcomes.get(0);
  }

  private long jobCount() {
    return fixture.database().queryLong("SELECT count(*) FROM \"" + schema() + "\".jobs");
  }

  private String schema() {
    return fixture.database().schema();
  }

  // ---- upsert
  // ------------------------------------------------------------------------------------

  @Test
  void upsertCreatesThenLeavesEqualSpecsUnchanged() {
    Instant at = now().plusSeconds(60);
    ScheduleUpsertResult first =
        upsert(false, schedule("b", "{\"s\":1}", "{\"t\":1}", at), schedule("a", "{}", "{}", at));
    assertThat(first.created()).containsExactly("b", "a");
    assertThat(first.updated()).isEmpty();
    assertThat(first.unchanged()).isEmpty();
    assertThat(first.removed()).isEmpty();

    StoredSchedule b = find("b");
    assertThat(b.spec()).isEqualTo("{\"s\":1}");
    assertThat(b.trigger()).isEqualTo("{\"t\":1}");
    assertThat(b.version()).isEqualTo(1);
    assertThat(b.paused()).isFalse();
    assertThat(b.nextFireAt()).isEqualTo(at);
    assertThat(b.lastFireAt()).isNull();
    assertThat(b.lastJobId()).isNull();
    assertThat(b.lastJobTenant()).isNull();
    assertThat(b.lastJobState()).isNull();
    assertThat(b.updatedAt()).isNotNull();

    ScheduleUpsertResult again =
        upsert(
            false,
            schedule("a", "{}", "{}", at.plusSeconds(5)),
            schedule("b", "{\"s\":1}", "{\"t\":1}", at.plusSeconds(5)));
    assertThat(again.unchanged()).containsExactly("a", "b");
    assertThat(again.created()).isEmpty();
    assertThat(again.updated()).isEmpty();
    assertThat(find("b")).isEqualTo(b);
  }

  @Test
  void aChangedSpecBumpsTheVersionAndKeepsNextFireAtUnlessTheTriggerChanged() {
    Instant at = now().plusSeconds(60);
    Instant other = at.plusSeconds(3600);
    upsert(
        false,
        schedule("same-trigger", "{\"v\":1}", "{\"cron\":\"a\"}", at),
        schedule("new-trigger", "{\"v\":1}", "{\"cron\":\"a\"}", at));
    Instant updatedBefore = find("same-trigger").updatedAt();

    ScheduleUpsertResult result =
        upsert(
            false,
            schedule("new-trigger", "{\"v\":2}", "{\"cron\":\"b\"}", other),
            schedule("added", "{}", "{}", other),
            schedule("same-trigger", "{\"v\":2}", "{\"cron\":\"a\"}", other));
    assertThat(result.updated()).containsExactly("new-trigger", "same-trigger");
    assertThat(result.created()).containsExactly("added");
    assertThat(result.unchanged()).isEmpty();

    StoredSchedule kept = find("same-trigger");
    assertThat(kept.spec()).isEqualTo("{\"v\":2}");
    assertThat(kept.version()).isEqualTo(2);
    assertThat(kept.nextFireAt()).isEqualTo(at);
    assertThat(kept.updatedAt()).isAfter(updatedBefore);

    StoredSchedule moved = find("new-trigger");
    assertThat(moved.trigger()).isEqualTo("{\"cron\":\"b\"}");
    assertThat(moved.version()).isEqualTo(2);
    assertThat(moved.nextFireAt()).isEqualTo(other);
  }

  @Test
  void anUpdateKeepsPauseStateAndFireHistory() {
    Instant past = now().minusSeconds(5);
    upsert(false, schedule("s", "{\"v\":1}", "{}", past));
    NewJob job = job();
    assertThat(fireOne(fire(find("s"), List.of(job), past.plusSeconds(60), OverlapPolicy.ALLOW)))
        .extracting(ScheduleFireOutcome::kind)
        .isEqualTo(Kind.FIRED);
    backend.pauseSchedule(new SchedulePauseRequest("s", true, null));

    assertThat(
            upsert(false, schedule("s", "{\"v\":2}", "{\"x\":1}", past.plusSeconds(99))).updated())
        .containsExactly("s");
    StoredSchedule s = find("s");
    assertThat(s.paused()).isTrue();
    assertThat(s.version()).isEqualTo(2);
    assertThat(s.nextFireAt()).isEqualTo(past.plusSeconds(99));
    assertThat(s.lastFireAt()).isEqualTo(past);
    assertThat(s.lastJobId()).isEqualTo(job.id());
    assertThat(s.lastJobTenant()).isEqualTo(job.tenant());
    assertThat(s.lastJobState()).isEqualTo(JobState.PENDING);
  }

  @Test
  void removeOthersDeletesUndeclaredSchedulesInCodePointOrder() {
    Instant at = now().plusSeconds(60);
    // "B" < "a" < "b" < "é" by code point; a linguistic collation would sort them otherwise.
    upsert(
        false,
        schedule("é", "{}", "{}", at),
        schedule("b", "{}", "{}", at),
        schedule("keep", "{}", "{}", at),
        schedule("a", "{}", "{}", at),
        schedule("B", "{}", "{}", at));
    ScheduleUpsertResult result =
        upsert(true, schedule("keep", "{}", "{}", at), schedule("new", "{}", "{}", at));
    assertThat(result.removed()).containsExactly("B", "a", "b", "é");
    assertThat(result.unchanged()).containsExactly("keep");
    assertThat(result.created()).containsExactly("new");
    assertThat(backend.listSchedules(new ScheduleListRequest(null, 10)).schedules())
        .extracting(StoredSchedule::name)
        .containsExactly("keep", "new");

    assertThat(upsert(true).removed()).containsExactly("keep", "new");
    assertThat(backend.listSchedules(new ScheduleListRequest(null, 10)).schedules()).isEmpty();
  }

  @Test
  void duplicateNamesInOneUpsertAreRefusedAndNothingIsStored() {
    Instant at = now().plusSeconds(60);
    assertThatThrownBy(
            () ->
                upsert(
                    false,
                    schedule("x", "{}", "{}", at),
                    schedule("y", "{}", "{}", at),
                    schedule("x", "{\"v\":2}", "{}", at)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(backend.findSchedule(new ScheduleRef("x"))).isEmpty();
    assertThat(backend.findSchedule(new ScheduleRef("y"))).isEmpty();
  }

  // ---- remove, pause
  // ------------------------------------------------------------------------------

  @Test
  void removeDeletesTheScheduleButNotItsJobs() {
    Instant past = now().minusSeconds(1);
    upsert(false, schedule("s", "{}", "{}", past));
    NewJob job = job();
    fireOne(fire(find("s"), List.of(job), past.plusSeconds(60), OverlapPolicy.SKIP));

    ScheduleChangeResult removed = backend.removeSchedule(new ScheduleRef("s"));
    assertThat(removed).isEqualTo(new ScheduleChangeResult(true, true, java.util.Optional.empty()));
    assertThat(backend.findSchedule(new ScheduleRef("s"))).isEmpty();
    assertThat(backend.find(new JobRef(job.tenant(), job.id()))).isPresent();
    assertThat(backend.removeSchedule(new ScheduleRef("s")))
        .isEqualTo(ScheduleChangeResult.notFound());
  }

  @Test
  void pauseAndResume() {
    Instant at = now().plusSeconds(60);
    upsert(false, schedule("s", "{}", "{}", at));
    StoredSchedule created = find("s");

    fixture.passTime(java.time.Duration.ofMillis(2)); // updatedAt must move on the server clock
    ScheduleChangeResult paused = backend.pauseSchedule(new SchedulePauseRequest("s", true, null));
    assertThat(paused.found()).isTrue();
    assertThat(paused.changed()).isTrue();
    StoredSchedule p = paused.schedule().orElseThrow();
    assertThat(p.paused()).isTrue();
    assertThat(p.nextFireAt()).isEqualTo(at);
    assertThat(p.version()).isEqualTo(1);
    assertThat(p.updatedAt()).isAfter(created.updatedAt());
    assertThat(find("s")).isEqualTo(p);

    ScheduleChangeResult again = backend.pauseSchedule(new SchedulePauseRequest("s", true, null));
    assertThat(again).isEqualTo(new ScheduleChangeResult(true, false, java.util.Optional.of(p)));

    Instant resumeAt = at.plusSeconds(3600);
    fixture.passTime(java.time.Duration.ofMillis(2)); // updatedAt must move on the server clock
    ScheduleChangeResult resumed =
        backend.pauseSchedule(new SchedulePauseRequest("s", false, resumeAt));
    assertThat(resumed.found()).isTrue();
    assertThat(resumed.changed()).isTrue();
    StoredSchedule r = resumed.schedule().orElseThrow();
    assertThat(r.paused()).isFalse();
    assertThat(r.nextFireAt()).isEqualTo(resumeAt);
    assertThat(r.updatedAt()).isAfter(p.updatedAt());

    ScheduleChangeResult running =
        backend.pauseSchedule(new SchedulePauseRequest("s", false, resumeAt.plusSeconds(1)));
    assertThat(running).isEqualTo(new ScheduleChangeResult(true, false, java.util.Optional.of(r)));

    assertThat(backend.pauseSchedule(new SchedulePauseRequest("missing", true, null)))
        .isEqualTo(ScheduleChangeResult.notFound());
    assertThat(backend.pauseSchedule(new SchedulePauseRequest("missing", false, resumeAt)))
        .isEqualTo(ScheduleChangeResult.notFound());
  }

  // ---- list, find ------------------------------------------------------------------------------

  @Test
  void listPagesInCodePointOrder() {
    Instant at = now().plusSeconds(60);
    upsert(
        false,
        schedule("c", "{}", "{}", at),
        schedule("a", "{}", "{}", at),
        schedule("B", "{}", "{}", at),
        schedule("é", "{}", "{}", at),
        schedule("b", "{}", "{}", at));

    SchedulePage first = backend.listSchedules(new ScheduleListRequest(null, 2));
    assertThat(first.schedules()).extracting(StoredSchedule::name).containsExactly("B", "a");
    assertThat(first.nextAfterName()).isEqualTo("a");
    SchedulePage second = backend.listSchedules(new ScheduleListRequest("a", 2));
    assertThat(second.schedules()).extracting(StoredSchedule::name).containsExactly("b", "c");
    assertThat(second.nextAfterName()).isEqualTo("c");
    SchedulePage last = backend.listSchedules(new ScheduleListRequest("c", 2));
    assertThat(last.schedules()).extracting(StoredSchedule::name).containsExactly("é");
    assertThat(last.nextAfterName()).isNull();

    // A page that ends exactly at the last schedule has no next page.
    SchedulePage exact = backend.listSchedules(new ScheduleListRequest("b", 2));
    assertThat(exact.schedules()).extracting(StoredSchedule::name).containsExactly("c", "é");
    assertThat(exact.nextAfterName()).isNull();
    // A cursor that is not a stored name still starts after it.
    assertThat(backend.listSchedules(new ScheduleListRequest("bb", 10)).schedules())
        .extracting(StoredSchedule::name)
        .containsExactly("c", "é");
  }

  @Test
  void findAndListShowTheLastJobsCurrentState() {
    Instant past = now().minusSeconds(1);
    upsert(false, schedule("s", "{}", "{}", past));
    NewJob job = job();
    fireOne(fire(find("s"), List.of(job), past.plusSeconds(60), OverlapPolicy.SKIP));
    assertThat(find("s").lastJobState()).isEqualTo(JobState.PENDING);
    assertThat(backend.listSchedules(new ScheduleListRequest(null, 10)).schedules().get(0))
        .extracting(StoredSchedule::lastJobId, StoredSchedule::lastJobState)
        .containsExactly(job.id(), JobState.PENDING);

    List<Job> claimed =
        backend
            .claim(
                new ClaimRequest(
                    "w", java.util.Set.of("recurring"), null, null, null, 1, Duration.ofMinutes(1)))
            .jobs();
    assertThat(claimed).extracting(Job::id).containsExactly(job.id());
    assertThat(find("s").lastJobState()).isEqualTo(JobState.RUNNING);

    backend.cancel(new CancelRequest(new JobRef(job.tenant(), job.id()), "stop"));
    assertThat(find("s").lastJobState()).isEqualTo(JobState.CANCELLED);

    fixture.database().execute("DELETE FROM \"" + schema() + "\".jobs");
    StoredSchedule pruned = find("s");
    assertThat(pruned.lastJobState()).isNull();
    assertThat(pruned.lastJobId()).isEqualTo(job.id());
  }

  // ---- due -------------------------------------------------------------------------------------

  @Test
  void dueSchedulesAreTheUnpausedOnesAtOrBeforeNowEarliestFirst() {
    Instant now = now();
    upsert(
        false,
        schedule("late", "{}", "{}", now.minusSeconds(1)),
        schedule("early", "{}", "{}", now.minusSeconds(3)),
        schedule("also-late", "{}", "{}", now.minusSeconds(1)),
        schedule("paused", "{}", "{}", now.minusSeconds(10)),
        schedule("later", "{}", "{}", now.plusSeconds(3600)),
        schedule("soon", "{}", "{}", now.plusSeconds(600)),
        schedule("paused-soon", "{}", "{}", now.plusSeconds(60)));
    backend.pauseSchedule(new SchedulePauseRequest("paused", true, null));
    backend.pauseSchedule(new SchedulePauseRequest("paused-soon", true, null));

    DueSchedules due = backend.dueSchedules(new DueSchedulesRequest(10));
    assertThat(due.due())
        .extracting(StoredSchedule::name)
        .containsExactly("early", "also-late", "late");
    assertThat(due.nextFireAt()).isEqualTo(now.plusSeconds(600));
    assertThat(due.now()).isAfterOrEqualTo(now).isBefore(now.plusSeconds(60));
    assertThat(due.due().get(0)).isEqualTo(find("early"));

    DueSchedules limited = backend.dueSchedules(new DueSchedulesRequest(2));
    assertThat(limited.due())
        .extracting(StoredSchedule::name)
        .containsExactly("early", "also-late");
    assertThat(limited.nextFireAt()).isEqualTo(now.plusSeconds(600));
  }

  @Test
  void withNothingDueOrLaterBothAreEmpty() {
    DueSchedules none = backend.dueSchedules(new DueSchedulesRequest(10));
    assertThat(none.due()).isEmpty();
    assertThat(none.nextFireAt()).isNull();
    assertThat(none.now()).isNotNull();

    upsert(false, schedule("p", "{}", "{}", now().minusSeconds(1)));
    backend.pauseSchedule(new SchedulePauseRequest("p", true, null));
    DueSchedules pausedOnly = backend.dueSchedules(new DueSchedulesRequest(10));
    assertThat(pausedOnly.due()).isEmpty();
    assertThat(pausedOnly.nextFireAt()).isNull();
  }

  @Test
  void dueIsServedFromThePartialIndex() {
    fixture
        .database()
        .execute(
            "INSERT INTO \""
                + schema()
                + "\".schedules (name, spec, trigger, version, paused, next_fire_at, created_at,"
                + " updated_at) SELECT 's' || g, '{}', '{}', 1, g % 2 = 0,"
                + " now() + g * interval '1 second', now(), now() FROM generate_series(1, 10000) g");
    fixture.database().execute("ANALYZE \"" + schema() + "\".schedules");
    List<String> plan = new ArrayList<>();
    try (var c = fixture.database().dataSource().getConnection();
        var st = c.createStatement();
        var rs =
            st.executeQuery(
                "EXPLAIN SELECT * FROM \""
                    + schema()
                    + "\".schedules WHERE NOT paused AND next_fire_at <= now()"
                    + " ORDER BY next_fire_at, name LIMIT 500")) {
      while (rs.next()) {
        plan.add(rs.getString(1));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    assertThat(String.join("\n", plan)).contains("schedules_due_idx");
    assertThat(backend.dueSchedules(new DueSchedulesRequest(10)).due()).isEmpty();
  }

  // ---- fire ------------------------------------------------------------------------------------

  @Test
  void aFireInsertsTheJobsAsAnEnqueueWouldAndMovesTheScheduleOn() {
    Instant due = now().minusSeconds(2);
    upsert(false, schedule("s", "{}", "{}", due));
    StoredSchedule before = find("s");
    NewJob first = job();
    NewJob second = TestJobs.job("report", "recurring", "other", "{\"n\":2}", 0, null, null, null);
    Instant next = due.plusSeconds(60);

    List<String> signals = new CopyOnWriteArrayList<>();
    try (Subscription sub = backend.subscribe(signals::add)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> ((PostgresBackend) backend).isListening());
      ScheduleFireOutcome outcome =
          fireOne(
              new ScheduleFire(
                  "s",
                  1,
                  due,
                  List.of(first, second),
                  next,
                  due.plusSeconds(1),
                  OverlapPolicy.SKIP));
      assertThat(outcome.name()).isEqualTo("s");
      assertThat(outcome.kind()).isEqualTo(Kind.FIRED);
      assertThat(outcome.jobs())
          .containsExactly(
              new EnqueueResult(first.id(), true, JobState.PENDING),
              new EnqueueResult(second.id(), true, JobState.PENDING));
      await().atMost(Duration.ofSeconds(5)).until(() -> signals.contains("recurring"));
    }

    Job stored = backend.find(new JobRef(first.tenant(), first.id())).orElseThrow();
    assertThat(stored.state()).isEqualTo(JobState.PENDING);
    assertThat(stored.type()).isEqualTo("report");
    assertThat(stored.queue()).isEqualTo("recurring");
    assertThat(stored.payload()).isEqualTo("{\"n\":1}");
    assertThat(stored.idempotencyKey()).isNull();
    assertThat(backend.find(new JobRef("other", second.id()))).isPresent();

    StoredSchedule after = find("s");
    assertThat(after.nextFireAt()).isEqualTo(next);
    assertThat(after.lastFireAt()).isEqualTo(due.plusSeconds(1));
    assertThat(after.lastJobId()).isEqualTo(second.id());
    assertThat(after.lastJobTenant()).isEqualTo("other");
    assertThat(after.lastJobState()).isEqualTo(JobState.PENDING);
    assertThat(after.version()).isEqualTo(before.version());
    assertThat(after.updatedAt()).isEqualTo(before.updatedAt());
  }

  @Test
  void aFireWithoutJobsOnlyMovesNextFireAt() {
    Instant due = now().minusSeconds(2);
    upsert(false, schedule("s", "{}", "{}", due));
    NewJob job = job();
    fireOne(fire(find("s"), List.of(job), due.plusSeconds(10), OverlapPolicy.SKIP));
    StoredSchedule fired = find("s");

    // The last job is still pending: a fire without jobs is no overlap, under any policy.
    ScheduleFireOutcome skip =
        fireOne(fire(fired, List.of(), due.plusSeconds(20), OverlapPolicy.WAIT));
    assertThat(skip.kind()).isEqualTo(Kind.FIRED);
    assertThat(skip.jobs()).isEmpty();
    StoredSchedule after = find("s");
    assertThat(after.nextFireAt()).isEqualTo(due.plusSeconds(20));
    assertThat(after.lastFireAt()).isEqualTo(fired.lastFireAt());
    assertThat(after.lastJobId()).isEqualTo(job.id());
    assertThat(jobCount()).isEqualTo(1);
  }

  @Test
  void aFireThatDoesNotMatchTheStoredScheduleIsStaleAndWritesNothing() {
    Instant due = now().minusSeconds(2);
    upsert(
        false,
        schedule("s", "{}", "{}", due),
        schedule("p", "{}", "{}", due),
        schedule("ok", "{}", "{}", due));
    backend.pauseSchedule(new SchedulePauseRequest("p", true, null));
    StoredSchedule s = find("s");
    Instant next = due.plusSeconds(60);

    List<ScheduleFireOutcome> outcomes =
        backend
            .fireSchedules(
                new ScheduleFireRequest(
                    List.of(
                        new ScheduleFire(
                            "s", 2, due, List.of(job()), next, due, OverlapPolicy.ALLOW),
                        new ScheduleFire(
                            "s",
                            1,
                            due.plusNanos(1000),
                            List.of(job()),
                            next,
                            due,
                            OverlapPolicy.ALLOW),
                        fire(find("p"), List.of(job()), next, OverlapPolicy.ALLOW),
                        new ScheduleFire(
                            "missing", 1, due, List.of(job()), next, due, OverlapPolicy.ALLOW),
                        fire(find("ok"), List.of(job()), next, OverlapPolicy.ALLOW))))
            .outcomes();
    assertThat(outcomes)
        .extracting(ScheduleFireOutcome::name, ScheduleFireOutcome::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("s", Kind.STALE),
            org.assertj.core.groups.Tuple.tuple("s", Kind.STALE),
            org.assertj.core.groups.Tuple.tuple("p", Kind.STALE),
            org.assertj.core.groups.Tuple.tuple("missing", Kind.STALE),
            org.assertj.core.groups.Tuple.tuple("ok", Kind.FIRED));
    assertThat(outcomes.subList(0, 4)).allSatisfy(o -> assertThat(o.jobs()).isEmpty());
    assertThat(find("s")).isEqualTo(s);
    assertThat(find("p").nextFireAt()).isEqualTo(due);
    assertThat(find("ok").nextFireAt()).isEqualTo(next);
    assertThat(jobCount()).isEqualTo(1);
  }

  @Test
  void aSecondFireOfTheSameTimeInOneRequestIsStale() {
    Instant due = now().minusSeconds(2);
    upsert(false, schedule("s", "{}", "{}", due));
    StoredSchedule s = find("s");
    ScheduleFire f = fire(s, List.of(job()), due.plusSeconds(60), OverlapPolicy.ALLOW);
    ScheduleFire g = fire(s, List.of(job()), due.plusSeconds(60), OverlapPolicy.ALLOW);
    assertThat(backend.fireSchedules(new ScheduleFireRequest(List.of(f, g))).outcomes())
        .extracting(ScheduleFireOutcome::kind)
        .containsExactly(Kind.FIRED, Kind.STALE);
    assertThat(jobCount()).isEqualTo(1);
    assertThat(find("s").lastJobId()).isEqualTo(f.jobs().get(0).id());
  }

  @Test
  void overlapPoliciesWhileTheLastJobIsActive() {
    Instant due = now().minusSeconds(10);
    upsert(false, schedule("s", "{}", "{}", due));
    NewJob firstJob = job();
    fireOne(fire(find("s"), List.of(firstJob), due.plusSeconds(1), OverlapPolicy.SKIP));
    StoredSchedule busy = find("s");

    // WAIT: nothing changes, the fire time stays due.
    ScheduleFireOutcome waiting =
        fireOne(fire(busy, List.of(job()), due.plusSeconds(2), OverlapPolicy.WAIT));
    assertThat(waiting.kind()).isEqualTo(Kind.WAITING_OVERLAP);
    assertThat(waiting.jobs()).isEmpty();
    assertThat(find("s")).isEqualTo(busy);

    // SKIP: no job, the schedule moves on.
    ScheduleFireOutcome skipped =
        fireOne(fire(busy, List.of(job()), due.plusSeconds(2), OverlapPolicy.SKIP));
    assertThat(skipped.kind()).isEqualTo(Kind.SKIPPED_OVERLAP);
    assertThat(skipped.jobs()).isEmpty();
    StoredSchedule afterSkip = find("s");
    assertThat(afterSkip.nextFireAt()).isEqualTo(due.plusSeconds(2));
    assertThat(afterSkip.lastFireAt()).isEqualTo(busy.lastFireAt());
    assertThat(afterSkip.lastJobId()).isEqualTo(firstJob.id());
    assertThat(jobCount()).isEqualTo(1);

    // RUNNING counts as active too.
    backend.claim(
        new ClaimRequest(
            "w", java.util.Set.of("recurring"), null, null, null, 1, Duration.ofMinutes(1)));
    assertThat(find("s").lastJobState()).isEqualTo(JobState.RUNNING);
    assertThat(
            fireOne(fire(afterSkip, List.of(job()), due.plusSeconds(3), OverlapPolicy.WAIT)).kind())
        .isEqualTo(Kind.WAITING_OVERLAP);

    // ALLOW: fires anyway.
    NewJob allowed = job();
    ScheduleFireOutcome fired =
        fireOne(fire(afterSkip, List.of(allowed), due.plusSeconds(3), OverlapPolicy.ALLOW));
    assertThat(fired.kind()).isEqualTo(Kind.FIRED);
    assertThat(find("s").lastJobId()).isEqualTo(allowed.id());

    // Once the last job has finished (or is gone), WAIT and SKIP fire.
    backend.cancel(new CancelRequest(new JobRef(allowed.tenant(), allowed.id()), "done"));
    assertThat(
            fireOne(fire(find("s"), List.of(job()), due.plusSeconds(4), OverlapPolicy.WAIT)).kind())
        .isEqualTo(Kind.FIRED);
    fixture.database().execute("DELETE FROM \"" + schema() + "\".jobs");
    assertThat(
            fireOne(fire(find("s"), List.of(job()), due.plusSeconds(5), OverlapPolicy.SKIP)).kind())
        .isEqualTo(Kind.FIRED);
  }

  @Test
  void concurrentFiresOfOneFireTimeOnTwoNodesCreateExactlyOneJob() throws Exception {
    int threadsPerNode = 4;
    int rounds = 10;
    Instant due = now().minusSeconds(rounds + 1);
    upsert(false, schedule("race", "{}", "{}", due));
    QueueBackend other = fixture.openAnother();
    ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerNode);
    try {
      for (int round = 0; round < rounds; round++) {
        StoredSchedule s = find("race");
        Instant next = s.nextFireAt().plusSeconds(1);
        CyclicBarrier start = new CyclicBarrier(2 * threadsPerNode);
        List<Future<ScheduleFireOutcome>> results = new ArrayList<>();
        for (int t = 0; t < 2 * threadsPerNode; t++) {
          QueueBackend node = t % 2 == 0 ? backend : other;
          Callable<ScheduleFireOutcome> task =
              () -> {
                ScheduleFire f = fire(s, List.of(job()), next, OverlapPolicy.ALLOW);
                start.await(10, TimeUnit.SECONDS);
                return node.fireSchedules(new ScheduleFireRequest(List.of(f))).outcomes().get(0);
              };
          results.add(pool.submit(task));
        }
        int fired = 0;
        for (Future<ScheduleFireOutcome> r : results) {
          ScheduleFireOutcome o = r.get(30, TimeUnit.SECONDS);
          if (o.kind() == Kind.FIRED) {
            fired++;
          } else {
            assertThat(o.kind()).isEqualTo(Kind.STALE);
          }
        }
        assertThat(fired).as("round %d", round).isEqualTo(1);
        assertThat(jobCount()).isEqualTo(round + 1);
        assertThat(find("race").nextFireAt()).isEqualTo(next);
      }
    } finally {
      pool.shutdownNow();
      other.close();
    }
  }

  @Test
  void nodesFiringOverlappingBatchesInOppositeOrdersDoNotDeadlock() throws Exception {
    int schedules = 60;
    Instant due = now().minusSeconds(60);
    List<ScheduleUpsert> upserts = new ArrayList<>();
    for (int i = 0; i < schedules; i++) {
      upserts.add(schedule(String.format("s%03d", i), "{}", "{}", due));
    }
    backend.upsertSchedules(new ScheduleUpsertRequest(upserts, false));
    QueueBackend other = fixture.openAnother();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 5; round++) {
        List<StoredSchedule> current =
            backend.listSchedules(new ScheduleListRequest(null, 1000)).schedules();
        List<ScheduleFire> fires = new ArrayList<>();
        for (StoredSchedule s : current) {
          fires.add(fire(s, List.of(job()), s.nextFireAt().plusSeconds(1), OverlapPolicy.ALLOW));
        }
        List<ScheduleFire> reversed = new ArrayList<>(fires);
        Collections.reverse(reversed);
        List<ScheduleFire> shuffled = new ArrayList<>(fires);
        Collections.shuffle(shuffled);
        CyclicBarrier start = new CyclicBarrier(4);
        List<Future<List<ScheduleFireOutcome>>> results = new ArrayList<>();
        List<List<ScheduleFire>> batches = List.of(fires, reversed, shuffled, reversed);
        for (int t = 0; t < 4; t++) {
          QueueBackend node = t % 2 == 0 ? backend : other;
          List<ScheduleFire> batch = withFreshJobs(batches.get(t));
          results.add(
              pool.submit(
                  () -> {
                    start.await(10, TimeUnit.SECONDS);
                    return node.fireSchedules(new ScheduleFireRequest(batch)).outcomes();
                  }));
        }
        long fired = 0;
        for (Future<List<ScheduleFireOutcome>> r : results) {
          fired += r.get(60, TimeUnit.SECONDS).stream().filter(o -> o.kind() == Kind.FIRED).count();
        }
        assertThat(fired).isEqualTo(schedules);
        assertThat(jobCount()).isEqualTo((long) schedules * (round + 1));
      }
    } finally {
      pool.shutdownNow();
      other.close();
    }
  }

  private static List<ScheduleFire> withFreshJobs(List<ScheduleFire> fires) {
    List<ScheduleFire> fresh = new ArrayList<>(fires.size());
    for (ScheduleFire f : fires) {
      fresh.add(
          new ScheduleFire(
              f.name(),
              f.expectedVersion(),
              f.expectedNextFireAt(),
              List.of(job()),
              f.nextFireAt(),
              f.lastFireAt(),
              f.overlap()));
    }
    return fresh;
  }
}
