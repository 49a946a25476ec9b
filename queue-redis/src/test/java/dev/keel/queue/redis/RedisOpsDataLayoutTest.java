package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
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
import java.util.ArrayList;
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
  private static final Duration BEYOND_MINUTE_COUNTS = Duration.ofHours(30);

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
    // Longer than the minute counts are kept: every finished member in the window is ranged.
    assertThat(backend.stats(new StatsRequest(null, BEYOND_MINUTE_COUNTS)).finishedInWindowByType())
        .isEqualTo(Map.of("bulk", Map.of(JobState.SUCCEEDED, (long) n)));
  }

  /** Finishes, failures and a cancel in two tenants; one failure re-driven. */
  private void finishAMix() {
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      batch.add(jobs.of(i % 2 == 0 ? "even" : "odd").tenant(i < 3 ? "t1" : "t2").build());
    }
    backend.enqueue(new EnqueueRequest(batch));
    List<Job> claimed =
        backend.claim(new ClaimRequest("w", Set.of(), Set.of(), Set.of(), null, 6, LEASE)).jobs();
    assertThat(claimed).hasSize(6);
    backend.finish(
        new FinishRequest(
            List.of(
                new Finish.Succeed(claimed.get(0).lease().orElseThrow()),
                new Finish.Fail(claimed.get(1).lease().orElseThrow(), JobError.of("x")),
                new Finish.Fail(claimed.get(2).lease().orElseThrow(), JobError.of("y")),
                new Finish.Succeed(claimed.get(3).lease().orElseThrow()),
                new Finish.Fail(claimed.get(4).lease().orElseThrow(), JobError.of("z")),
                new Finish.Cancel(claimed.get(5).lease().orElseThrow(), "no"))));
    backend.redrive(new RedriveRequest(new JobRef("t1", claimed.get(2).id())));
  }

  private void assertWindowFigures() {
    for (Duration window : List.of(HOUR, BEYOND_MINUTE_COUNTS)) {
      BackendStats all = backend.stats(new StatsRequest(null, window));
      assertThat(all.finishedInWindowByType())
          .as("all tenants, window %s", window)
          .isEqualTo(
              Map.of(
                  "even",
                  Map.of(JobState.SUCCEEDED, 1L, JobState.FAILED, 1L),
                  "odd",
                  Map.of(JobState.SUCCEEDED, 1L, JobState.FAILED, 1L, JobState.CANCELLED, 1L)));
      assertThat(all.failedInWindow()).isEqualTo(2);
      BackendStats t1 = backend.stats(new StatsRequest("t1", window));
      assertThat(t1.finishedInWindowByType())
          .as("tenant t1, window %s", window)
          .isEqualTo(
              Map.of("even", Map.of(JobState.SUCCEEDED, 1L), "odd", Map.of(JobState.FAILED, 1L)));
      assertThat(t1.failedInWindow()).isEqualTo(1);
    }
  }

  @Test
  void finishedInWindowFromTheMinuteCountsAgreesWithTheRangeOfFinishedMembers() {
    finishAMix();

    assertThat(fixture.admin().get(key("fin:start"))).isEqualTo("0");
    assertThat(fixture.keys()).anyMatch(k -> k.startsWith(key("fin:")) && !k.endsWith(":start"));
    assertThat(fixture.keys())
        .filteredOn(k -> k.startsWith(key("fin:")) && !k.endsWith(":start"))
        .allSatisfy(k -> assertThat(fixture.admin().ttl(k)).isPositive());
    assertWindowFigures();
  }

  @Test
  void aNamespaceWrittenBeforeTheMinuteCountsIsCountedFromTheFinishedMembers() {
    finishAMix();
    for (String k : fixture.keys()) {
      if (k.startsWith(key("fin:"))) {
        fixture.admin().del(k);
      }
    }
    assertWindowFigures();

    // The next finish starts the counts, complete from the next minute on; until a window starts
    // there, the finished members are ranged.
    NewJob more = jobs.of("other").build();
    backend.enqueue(EnqueueRequest.of(more));
    backend.finish(FinishRequest.of(new Finish.Succeed(claimType("other").lease().orElseThrow())));
    long start = Long.parseLong(fixture.admin().get(key("fin:start")));
    assertThat(start).isGreaterThan(System.currentTimeMillis() * 1000 - 1_000_000);
    assertThat(backend.stats(new StatsRequest(null, HOUR)).finishedInWindowByType())
        .containsEntry("other", Map.of(JobState.SUCCEEDED, 1L))
        .containsEntry("even", Map.of(JobState.SUCCEEDED, 1L, JobState.FAILED, 1L));
  }

  @Test
  void aListFilterMatchingFewOfManyJobsWalksInCallsOfBoundedLength() {
    int many = 2 * RedisBackend.LIST_SCAN_BUDGET + 500;
    NewJob firstRare = jobs.of("rare").build();
    List<NewJob> batch = new ArrayList<>(List.of(firstRare));
    for (int i = 0; i < many; i++) {
      batch.add(jobs.of("common").build());
    }
    NewJob lastRare = jobs.of("rare").build();
    batch.add(lastRare);
    backend.enqueue(new EnqueueRequest(batch));

    assertThat(backend.list(JobQuery.tenant("default").withType("rare")).jobs())
        .extracting(Job::id)
        .containsExactly(firstRare.id(), lastRare.id());
    JobPage one = backend.list(JobQuery.tenant("default").withType("rare").withLimit(1));
    assertThat(one.jobs()).extracting(Job::id).containsExactly(firstRare.id());
    assertThat(
            backend
                .list(
                    JobQuery.tenant("default")
                        .withType("rare")
                        .withLimit(1)
                        .withAfter(one.next().orElseThrow()))
                .jobs())
        .extracting(Job::id)
        .containsExactly(lastRare.id());
    assertThat(backend.list(JobQuery.tenant("default").withType("none")).jobs()).isEmpty();
    assertThat(backend.list(JobQuery.tenant("default").withType("none")).next()).isEmpty();

    // A failure among them is found through finished:FAILED; the pending through their indexes.
    backend.finish(
        FinishRequest.of(
            new Finish.Fail(claimType("rare").lease().orElseThrow(), JobError.of("x"))));
    NewJob later = jobs.of("rare").runAt(fixture.clock().instant().plus(HOUR)).build();
    backend.enqueue(EnqueueRequest.of(later));
    assertThat(backend.list(JobQuery.tenant("default").withStates(JobState.FAILED)).jobs())
        .extracting(Job::id)
        .containsExactly(firstRare.id());
    assertThat(
            backend
                .list(
                    JobQuery.tenant("default")
                        .withStates(JobState.PENDING, JobState.FAILED)
                        .withType("rare"))
                .jobs())
        .extracting(Job::id)
        .containsExactly(firstRare.id(), lastRare.id(), later.id());
    assertThat(
            backend
                .list(JobQuery.tenant("other").withStates(JobState.PENDING, JobState.FAILED))
                .jobs())
        .isEmpty();
  }
}
