package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.AlertOpenRequest;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.SampleWriteRequest;
import dev.keel.queue.spi.StatsRequest;
import dev.keel.queue.testkit.TestJobs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Redis keys of operations data and of the per-queue figures, and how a namespace written
 * before them (no {@code qcounts}, finished members without the queue) is carried over.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisOpsDataLayoutTest {
  private static final Duration LEASE = Duration.ofMinutes(1);
  private static final Duration HOUR = Duration.ofHours(1);

  private RedisFixture fixture;
  private RedisBackend backend;
  private TestJobs jobs;

  @BeforeAll
  void createFixture() {
    fixture = RedisFixture.standalone("opsdata-layout");
    jobs = new TestJobs(fixture.clock());
  }

  @BeforeEach
  void open() {
    backend = (RedisBackend) fixture.openEmpty();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  @AfterAll
  void dropNamespace() {
    fixture.close();
  }

  private String key(String name) {
    return "{" + fixture.namespace() + "}:" + name;
  }

  private Job claimType(String type) {
    List<Job> claimed =
        backend
            .claim(new ClaimRequest("w", Set.of(), Set.of(type), Set.of(), null, 1, LEASE))
            .jobs();
    assertThat(claimed).hasSize(1);
    return claimed.get(0);
  }

  @Test
  void opsDataKeysShareTheNamespaceHashTag() {
    backend.openAlert(new AlertOpenRequest(jobs.nextId(), "rule", "s|ubject", null, "{}"));
    backend.writeSample(new SampleWriteRequest("{\"n\":1}", HOUR));
    backend.lockMaintenance(new MaintenanceLockRequest("me", LEASE, "ops"));
    backend.enqueue(EnqueueRequest.of(jobs.of("a").queue("q1").build()));
    backend.stats(new StatsRequest(null, HOUR));

    List<String> keys = fixture.keys();
    assertThat(keys).allMatch(k -> k.startsWith("{" + fixture.namespace() + "}:"));
    assertThat(keys)
        .contains(
            key("alerts"),
            key("alerts:state:OPEN"),
            key("alerts:active"),
            key("samples"),
            key("lock:ops"),
            key("qcounts"),
            key("qcounts:built"));
  }

  @Test
  void queueCountersMissingFromAnOlderNamespaceAreRebuiltOnce() {
    backend.enqueue(
        new EnqueueRequest(
            List.of(
                jobs.of("a").queue("q1").build(),
                jobs.of("a").queue("q1").tenant("t2").build(),
                jobs.of("b").queue("q2").build())));
    Job running = claimType("b");
    backend.finish(FinishRequest.of(new Finish.Succeed(running.lease().orElseThrow())));
    // As a namespace written before the counters by queue existed.
    fixture.admin().del(key("qcounts"), key("qcounts:built"));

    BackendStats stats = backend.stats(new StatsRequest(null, HOUR));

    assertThat(stats.countsByQueue())
        .isEqualTo(
            Map.of(
                "q1", Map.of(JobState.PENDING, 2L),
                "q2", Map.of(JobState.SUCCEEDED, 1L)));
    assertThat(fixture.admin().get(key("qcounts:built"))).isEqualTo("1");
    // From then on every transition keeps them.
    fixture.passTime(Duration.ofMillis(5));
    backend.prune(new PruneRequest(Duration.ZERO, Duration.ZERO, Duration.ZERO, 100));
    assertThat(backend.stats(new StatsRequest(null, HOUR)).countsByQueue())
        .isEqualTo(Map.of("q1", Map.of(JobState.PENDING, 2L)));
  }

  @Test
  void finishedMembersWithoutTheQueueAreStillCountedRedrivenAndPruned() {
    NewJob failed = jobs.of("old").queue("q1").build();
    NewJob succeeded = jobs.of("old").queue("q1").build();
    backend.enqueue(new EnqueueRequest(List.of(failed, succeeded)));
    backend.finish(
        FinishRequest.of(
            new Finish.Fail(claimType("old").lease().orElseThrow(), JobError.of("x"))));
    backend.finish(FinishRequest.of(new Finish.Succeed(claimType("old").lease().orElseThrow())));
    // Rewrite both finished members in the layout before the queue was part of them.
    for (String state : List.of("FAILED", "SUCCEEDED")) {
      String registry = key("finished:" + state);
      for (var t : fixture.admin().zrangeWithScores(registry, 0, -1)) {
        String member = t.getElement();
        fixture.admin().zrem(registry, member);
        fixture.admin().zadd(registry, t.getScore(), member.substring(0, member.lastIndexOf('|')));
      }
    }
    assertThat(backend.stats(new StatsRequest(null, HOUR)).finishedInWindowByType().get("old"))
        .isEqualTo(Map.of(JobState.FAILED, 1L, JobState.SUCCEEDED, 1L));

    backend.redrive(new RedriveRequest(new JobRef("default", failed.id())));
    assertThat(fixture.admin().zcard(key("finished:FAILED"))).isZero();
    assertThat(backend.stats(new StatsRequest(null, HOUR)).finishedInWindowByType().get("old"))
        .isEqualTo(Map.of(JobState.SUCCEEDED, 1L));

    fixture.passTime(Duration.ofMillis(5));
    assertThat(
            backend
                .prune(new PruneRequest(Duration.ZERO, Duration.ZERO, Duration.ZERO, 100))
                .deleted())
        .isEqualTo(1);
    BackendStats after = backend.stats(new StatsRequest(null, HOUR));
    assertThat(after.countsByQueue()).isEqualTo(Map.of("q1", Map.of(JobState.PENDING, 1L)));
    assertThat(after.finishedInWindowByType()).isEmpty();
  }

  @Test
  void finishedInWindowReadsLargeRangesInPagesAndCountsEachMemberOnce() {
    // Over 2,000 finishes on one timestamp: pages of 1,000 tied on their last score.
    int n = 2_345;
    List<NewJob> batch = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(jobs.of("bulk").queue("q1").build());
    }
    backend.enqueue(new EnqueueRequest(batch));
    List<Job> claimed =
        backend.claim(new ClaimRequest("w", Set.of(), Set.of(), Set.of(), null, n, LEASE)).jobs();
    assertThat(claimed).hasSize(n);
    backend.finish(
        new FinishRequest(
            claimed.stream()
                .map(j -> (Finish) new Finish.Succeed(j.lease().orElseThrow()))
                .toList()));

    assertThat(backend.stats(new StatsRequest(null, HOUR)).finishedInWindowByType())
        .isEqualTo(Map.of("bulk", Map.of(JobState.SUCCEEDED, (long) n)));
  }
}
