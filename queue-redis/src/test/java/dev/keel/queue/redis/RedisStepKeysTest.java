package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.SignalRequest;
import dev.keel.queue.spi.SignalResult;
import dev.keel.queue.spi.StepWrite;
import dev.keel.queue.spi.StepWriteRequest;
import dev.keel.queue.spi.SuspendRequest;
import dev.keel.queue.testkit.TestJobs;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Redis layout of durable steps and signals (KEYS.md): keys, TTLs, `awaiting`, deletion. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisStepKeysTest {
  private static final Duration LEASE = Duration.ofMinutes(1);
  private static final Duration TTL = Duration.ofHours(2);

  private RedisFixture fixture;
  private RedisBackend backend;
  private TestJobs jobs;

  @BeforeAll
  void createFixture() {
    fixture = RedisFixture.standalone("stepkeys");
    jobs = new TestJobs(fixture.clock());
  }

  @BeforeEach
  void open() {
    fixture.openEmpty().close();
    backend = fixture.builder().finishedJobTtl(TTL).build();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  @AfterAll
  void dropNamespace() {
    fixture.close();
  }

  private String key(String rest) {
    return "{" + fixture.namespace() + "}:" + rest;
  }

  private Job enqueueAndClaim(NewJob job) {
    backend.enqueue(new EnqueueRequest(List.of(job)));
    List<Job> claimed = claim();
    assertThat(claimed).extracting(Job::id).containsExactly(job.id());
    return claimed.get(0);
  }

  private List<Job> claim() {
    return backend
        .claim(new ClaimRequest("w", Set.of(), Set.of(), Set.of(), null, 10, LEASE))
        .jobs();
  }

  private SignalResult signal(NewJob job, String name) {
    return backend.signal(new SignalRequest(new JobRef(job.tenant(), job.id()), name, "{}"));
  }

  @Test
  void stepsAndSignalsGetTheFinishedJobTtlAndLoseItWhenTheJobIsRedriven() {
    NewJob job = jobs.of("onboard").build();
    Job running = enqueueAndClaim(job);
    backend.saveSteps(
        StepWriteRequest.of(running.lease().orElseThrow(), new StepWrite("a", 0, "{}")));
    signal(job, "approval");
    String steps = key("steps:" + job.id());
    String signals = key("signals:" + job.id());
    assertThat(fixture.admin().pttl(steps)).as("an active job's steps never expire").isEqualTo(-1);
    assertThat(fixture.admin().hget(key("job:" + job.id()), "hs")).isEqualTo("1");

    backend.finish(
        FinishRequest.of(new Finish.Fail(running.lease().orElseThrow(), JobError.of("boom"))));
    assertThat(fixture.admin().pttl(steps)).isPositive().isLessThanOrEqualTo(TTL.toMillis());
    assertThat(fixture.admin().pttl(signals)).isPositive();

    // A signal stored on the failed job (a new key) expires with it too.
    NewJob other = jobs.of("onboard").build();
    Job otherRunning = enqueueAndClaim(other);
    backend.finish(
        FinishRequest.of(new Finish.Fail(otherRunning.lease().orElseThrow(), JobError.of("x"))));
    assertThat(signal(other, "keel:compensate").outcome()).isEqualTo(SignalResult.Outcome.STORED);
    assertThat(fixture.admin().pttl(key("signals:" + other.id()))).isPositive();

    backend.redrive(new RedriveRequest(new JobRef(job.tenant(), job.id())));
    assertThat(fixture.admin().pttl(steps)).isEqualTo(-1);
    assertThat(fixture.admin().pttl(signals)).isEqualTo(-1);
  }

  @Test
  void pruneDeletesStepsAndSignalsEvenWhenTheJobHashExpiredFirst() {
    NewJob job = jobs.of("onboard").build();
    Job running = enqueueAndClaim(job);
    backend.saveSteps(
        StepWriteRequest.of(running.lease().orElseThrow(), new StepWrite("a", 0, "{}")));
    signal(job, "approval");
    backend.finish(FinishRequest.of(new Finish.Succeed(running.lease().orElseThrow())));
    fixture.admin().del(key("job:" + job.id()));

    Duration none = Duration.ZERO;
    backend.prune(new PruneRequest(none, none, none, 100));
    assertThat(fixture.keys())
        .noneMatch(k -> k.contains(":steps:") || k.contains(":signals:") || k.contains(":job:"));
  }

  @Test
  void awaitingLastsUntilTheJobIsClaimedAgain() {
    NewJob job = jobs.of("onboard").build();
    Job running = enqueueAndClaim(job);
    String jk = key("job:" + job.id());
    backend.suspend(new SuspendRequest(running.lease().orElseThrow(), Duration.ZERO, "approval"));
    assertThat(fixture.admin().hget(jk, "awaiting")).isEqualTo("approval");

    // Its delay passed: it runs again without the signal and is retried later.
    Job again = claim().get(0);
    assertThat(fixture.admin().hexists(jk, "awaiting")).isFalse();
    backend.finish(
        FinishRequest.of(
            new Finish.Retry(again.lease().orElseThrow(), JobError.of("x"), Duration.ofHours(1))));
    assertThat(signal(job, "approval").outcome()).isEqualTo(SignalResult.Outcome.STORED);
    assertThat(claim()).as("a retried job is not suspended: its runAt stays").isEmpty();
  }

  @Test
  void aSignalNeverReleasesABlockedJob() {
    NewJob first = jobs.of("a").build();
    NewJob dependent = jobs.of("b").dependsOn(first.id()).build();
    backend.enqueue(new EnqueueRequest(List.of(first, dependent)));
    assertThat(signal(dependent, "keel:cancel").outcome()).isEqualTo(SignalResult.Outcome.STORED);
    assertThat(claim()).extracting(Job::id).containsExactly(first.id());
    Job waiting = backend.find(new JobRef(dependent.tenant(), dependent.id())).orElseThrow();
    assertThat(waiting.state()).isEqualTo(JobState.PENDING);
    assertThat(waiting.links().blocked()).isTrue();
  }
}
