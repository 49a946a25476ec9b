package dev.keel.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobProgress;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobState;
import dev.keel.queue.Lease;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.HeartbeatRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.ProgressRequest;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.StatsRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A walk through every SPI operation against the real database. */
class BackendSmokeTest {
  private static PostgresTestDatabase db;
  private PostgresBackend backend;

  @BeforeAll
  static void schema() {
    db = PostgresTestDatabase.forClass(BackendSmokeTest.class);
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @BeforeEach
  void open() {
    backend = db.backend();
    db.execute(
        "TRUNCATE \""
            + db.schema()
            + "\".jobs, \""
            + db.schema()
            + "\".locks, \""
            + db.schema()
            + "\".schedules");
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  private static ClaimRequest claimAll(int limit) {
    return new ClaimRequest(
        "w1", Set.of(), Set.of(), Set.of(), null, limit, Duration.ofSeconds(30));
  }

  @Test
  void jobGoesThroughEveryStoredField() {
    var job =
        new dev.keel.queue.spi.NewJob(
            TestJobs.nextId(),
            "email",
            "mail",
            "acme",
            "{\"a\":1,\"b\":[true,null]}",
            -5,
            7,
            null,
            Duration.ZERO,
            Duration.ofSeconds(90),
            "k-1",
            null,
            "00-abc-def-01",
            Map.of("source", "test"));
    var result = backend.enqueue(EnqueueRequest.of(job)).results().get(0);
    assertThat(result.created()).isTrue();
    Job stored = backend.find(new JobRef("acme", job.id())).orElseThrow();
    assertThat(stored.payload()).isEqualTo("{\"a\":1,\"b\":[true,null]}");
    assertThat(stored.priority()).isEqualTo(-5);
    assertThat(stored.maxAttempts()).isEqualTo(7);
    assertThat(stored.timeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(stored.metadata()).containsEntry("source", "test");
    assertThat(stored.traceparent()).isEqualTo("00-abc-def-01");
    assertThat(stored.idempotencyKey()).isEqualTo("k-1");
    assertThat(stored.state()).isEqualTo(JobState.PENDING);
    assertThat(backend.find(new JobRef("other", job.id()))).isEmpty();

    Job claimed = backend.claim(claimAll(10)).jobs().get(0);
    assertThat(claimed.state()).isEqualTo(JobState.RUNNING);
    assertThat(claimed.attempt()).isEqualTo(1);
    Lease lease = claimed.lease().orElseThrow();
    FencedResult hb =
        backend.heartbeat(new HeartbeatRequest(List.of(lease), Duration.ofMinutes(1)));
    assertThat(hb.applied()).containsExactly(job.id());
    FencedResult pr =
        backend.progress(
            new ProgressRequest(
                List.of(new ProgressRequest.Update(lease, new JobProgress(40, "half")))));
    assertThat(pr.applied()).containsExactly(job.id());
    FencedResult done =
        backend.finish(FinishRequest.of(new Finish.Fail(lease, JobError.of("boom"))));
    assertThat(done.applied()).containsExactly(job.id());
    Job failed = backend.find(new JobRef("acme", job.id())).orElseThrow();
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.progress()).isEqualTo(new JobProgress(40, "half"));
    assertThat(failed.lastError().message()).isEqualTo("boom");
    assertThat(failed.finishedAt()).isNotNull();

    assertThat(backend.finish(FinishRequest.of(new Finish.Succeed(lease))).lost())
        .containsExactly(job.id());
    var redriven = backend.redrive(new RedriveRequest(new JobRef("acme", job.id())));
    assertThat(redriven.changed()).isTrue();
    assertThat(redriven.job().orElseThrow().state()).isEqualTo(JobState.PENDING);
    assertThat(redriven.job().orElseThrow().attempt()).isZero();
    var cancelled = backend.cancel(new CancelRequest(new JobRef("acme", job.id()), "no"));
    assertThat(cancelled.changed()).isTrue();
    assertThat(backend.cancel(new CancelRequest(new JobRef("acme", job.id()), "no")).changed())
        .isFalse();
  }

  @Test
  void claimsInPriorityOrderAndFinishesEveryKindInOneCall() {
    var low = TestJobs.job("t", "q", "default", "{}", 5, null, null, Duration.ZERO);
    var high = TestJobs.job("t", "q", "default", "{}", -5, null, null, Duration.ZERO);
    var mid1 = TestJobs.job("t", "q", "default", "{}", 0, null, null, Duration.ZERO);
    var mid2 = TestJobs.job("t", "q", "default", "{}", 0, null, null, Duration.ZERO);
    var later = TestJobs.job("t", "q", "default", "{}", -100, null, null, Duration.ofHours(1));
    var other = TestJobs.job("x", "q", "default", "{}", 0, null, null, Duration.ZERO);
    backend.enqueue(new EnqueueRequest(List.of(low, high, mid1, mid2, later, other)));
    List<Job> claimed =
        backend
            .claim(
                new ClaimRequest(
                    "w", Set.of("q"), Set.of(), Set.of("x"), null, 10, Duration.ofSeconds(5)))
            .jobs();
    assertThat(claimed)
        .extracting(Job::id)
        .containsExactly(high.id(), mid1.id(), mid2.id(), low.id());
    List<Finish> finishes =
        List.of(
            new Finish.Succeed(claimed.get(0).lease().orElseThrow()),
            new Finish.Retry(
                claimed.get(1).lease().orElseThrow(), JobError.of("again"), Duration.ZERO),
            new Finish.Snooze(claimed.get(2).lease().orElseThrow(), Duration.ofMinutes(1)),
            new Finish.Release(claimed.get(3).lease().orElseThrow()));
    FencedResult r = backend.finish(new FinishRequest(finishes));
    assertThat(r.applied()).hasSize(4);
    assertThat(backend.find(new JobRef("default", mid1.id())).orElseThrow().attempt()).isEqualTo(1);
    assertThat(backend.find(new JobRef("default", mid2.id())).orElseThrow().attempt()).isZero();
    assertThat(backend.find(new JobRef("default", low.id())).orElseThrow().attempt()).isZero();

    var page1 = backend.list(JobQuery.tenant("default").withLimit(4));
    assertThat(page1.jobs()).hasSize(4);
    var page2 =
        backend.list(JobQuery.tenant("default").withLimit(4).withAfter(page1.next().orElseThrow()));
    assertThat(page2.jobs()).hasSize(2);
    assertThat(page2.next()).isEmpty();
    assertThat(backend.list(JobQuery.tenant("default").withStates(JobState.SUCCEEDED)).jobs())
        .extracting(Job::id)
        .containsExactly(high.id());

    BackendStats stats = backend.stats(new StatsRequest(null, Duration.ofHours(1)));
    assertThat(stats.countsByState())
        .containsEntry(JobState.SUCCEEDED, 1L)
        .containsEntry(JobState.PENDING, 5L);
    assertThat(stats.countsByType().get("x")).containsEntry(JobState.PENDING, 1L);
    assertThat(stats.oldestDueAge()).isPresent();
    assertThat(
            backend
                .prune(new PruneRequest(Duration.ZERO, Duration.ZERO, Duration.ZERO, 100))
                .deleted())
        .isEqualTo(1);
  }

  @Test
  void maintenanceLockIsExclusiveRenewableAndReleasable() {
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("a", Duration.ofSeconds(30))))
        .isTrue();
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("b", Duration.ofSeconds(30))))
        .isFalse();
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("a", Duration.ofSeconds(30))))
        .isTrue();
    backend.unlockMaintenance("b");
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("b", Duration.ofSeconds(30))))
        .isFalse();
    backend.unlockMaintenance("a");
    assertThat(backend.lockMaintenance(new MaintenanceLockRequest("b", Duration.ofSeconds(30))))
        .isTrue();
  }

  @Test
  void pingReadsTheServerClock() {
    assertThat(backend.ping().detail()).startsWith("PostgreSQL");
  }
}
