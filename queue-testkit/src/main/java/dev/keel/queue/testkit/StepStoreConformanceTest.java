package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.Job;
import dev.keel.queue.JobState;
import dev.keel.queue.Lease;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.JobSteps;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.SignalRequest;
import dev.keel.queue.spi.SignalResult;
import dev.keel.queue.spi.StepWrite;
import dev.keel.queue.spi.StepWriteRequest;
import dev.keel.queue.spi.StepWriteResult;
import dev.keel.queue.spi.StoredStep;
import dev.keel.queue.spi.SuspendRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The step and signal storage calls of {@link QueueBackend} (saveSteps, loadSteps, signal,
 * suspend): fenced step records, durable signals, suspension that a signal ends. A backend module
 * runs it by extending it with its fixture; {@link StepConformanceTest}, {@link
 * SagaConformanceTest} and {@link SignalConformanceTest} check the same through Keel's engine.
 */
public abstract class StepStoreConformanceTest extends CoordinationTestSupport {

  private static final Duration LONG = Duration.ofHours(1);

  private Job enqueueAndClaim(QueueBackend b, NewJob job) {
    enqueue(b, job);
    List<Job> claimed = claim(b, 10);
    assertThat(claimed).extracting(Job::id).containsExactly(job.id());
    return claimed.get(0);
  }

  private static Lease lease(Job job) {
    return job.lease().orElseThrow();
  }

  private static JobSteps steps(QueueBackend b, NewJob job) {
    return b.loadSteps(new JobRef(job.tenant(), job.id())).orElseThrow();
  }

  @Test
  void stepRecordsAreStoredOnTheRunningJobInSeqOrderAndReplacedByName() {
    QueueBackend b = empty();
    NewJob job = jobs.of("onboard").build();
    Job running = enqueueAndClaim(b, job);

    assertThat(steps(b, job).steps()).as("a job starts without step records").isEmpty();
    StepWriteResult first =
        b.saveSteps(
            new StepWriteRequest(
                lease(running),
                List.of(
                    new StepWrite("reserve", 0, "{\"state\":\"COMPLETED\",\"result\":1}"),
                    new StepWrite("charge", 1, "{\"state\":\"FAILED\"}"))));
    assertThat(first.applied()).isTrue();
    assertThat(first.controlSignals()).isEmpty();
    b.saveSteps(
        StepWriteRequest.of(
            lease(running), new StepWrite("charge", 1, "{\"state\":\"COMPLETED\",\"result\":2}")));
    b.saveSteps(
        StepWriteRequest.of(lease(running), new StepWrite("provision", 2, "{\"x\":\"é\"}")));

    List<StoredStep> stored = steps(b, job).steps();
    assertThat(stored)
        .extracting(StoredStep::name)
        .containsExactly("reserve", "charge", "provision");
    assertThat(stored).extracting(StoredStep::seq).containsExactly(0, 1, 2);
    assertThat(stored.get(1).body()).isEqualTo("{\"state\":\"COMPLETED\",\"result\":2}");
    assertThat(stored.get(2).body()).as("stored byte for byte").isEqualTo("{\"x\":\"é\"}");
    assertThat(stored).allSatisfy(s -> assertThat(s.updatedAt()).isNotNull());
  }

  @Test
  void aStepWrittenWithALostLeaseIsRejectedAndWritesNothing() {
    QueueBackend b = empty();
    NewJob job = jobs.of("onboard").build();
    Job running = enqueueAndClaim(b, job);
    Lease stale = lease(running);
    // The worker loses its lease: the job is snoozed by someone holding it, then claimed again.
    finish(b, new Finish.Snooze(stale, Duration.ZERO));
    Job again = claim(b, 10).get(0);

    StepWriteResult r =
        b.saveSteps(StepWriteRequest.of(stale, new StepWrite("charge", 0, "{\"late\":true}")));
    assertThat(r.applied()).as("a stale worker's step result is rejected").isFalse();
    assertThat(steps(b, job).steps()).isEmpty();

    Lease forged = new Lease(job.id(), again.attempt(), "w", "not-the-token");
    assertThat(b.saveSteps(StepWriteRequest.of(forged, new StepWrite("x", 0, "{}"))).applied())
        .isFalse();
    assertThat(
            b.saveSteps(StepWriteRequest.of(lease(again), new StepWrite("x", 0, "{}"))).applied())
        .isTrue();
    finish(b, new Finish.Succeed(lease(again)));
    assertThat(
            b.saveSteps(StepWriteRequest.of(lease(again), new StepWrite("y", 1, "{}"))).applied())
        .as("a finished job takes no more step records")
        .isFalse();
    assertThat(steps(b, job).steps()).extracting(StoredStep::name).containsExactly("x");
  }

  @Test
  void stepsAndSignalsAreTenantScopedAndGoneWithTheirJob() {
    QueueBackend b = empty();
    NewJob job = jobs.of("onboard").tenant("acme").build();
    Job running = enqueueAndClaim(b, job);
    b.saveSteps(StepWriteRequest.of(lease(running), new StepWrite("reserve", 0, "{}")));
    assertThat(
            b.signal(new SignalRequest(new JobRef("acme", job.id()), "approval", "{}")).outcome())
        .isEqualTo(SignalResult.Outcome.STORED);

    assertThat(b.loadSteps(new JobRef("other", job.id())))
        .as("another tenant sees nothing")
        .isEmpty();
    assertThat(b.loadSteps(new JobRef("acme", jobs.nextId()))).isEmpty();
    SignalResult wrongTenant =
        b.signal(new SignalRequest(new JobRef("other", job.id()), "approval2", "{}"));
    assertThat(wrongTenant.outcome()).isEqualTo(SignalResult.Outcome.NOT_FOUND);
    assertThat(wrongTenant.state()).isNull();
    assertThat(steps(b, job).signals()).hasSize(1);

    finish(b, new Finish.Succeed(lease(running)));
    fixture.passTime(Duration.ofMillis(20));
    Duration tiny = Duration.ofMillis(1);
    assertThat(b.prune(new PruneRequest(tiny, tiny, tiny, 100)).deleted()).isEqualTo(1);
    assertThat(b.loadSteps(new JobRef("acme", job.id()))).as("pruned with its job").isEmpty();

    // A new job with the same id (a caller-chosen id reused after pruning) starts clean.
    NewJob reused = jobs.of("onboard").tenant("acme").id(job.id()).build();
    enqueue(b, reused);
    JobSteps fresh = b.loadSteps(new JobRef("acme", job.id())).orElseThrow();
    assertThat(fresh.steps()).isEmpty();
    assertThat(fresh.signals()).isEmpty();
  }

  @Test
  void theFirstSignalOfANameWinsAndFinishedJobsTakeNone() {
    QueueBackend b = empty();
    NewJob job = jobs.of("onboard").build();
    enqueue(b, job);
    JobRef ref = new JobRef(job.tenant(), job.id());

    SignalResult stored = b.signal(new SignalRequest(ref, "approval", "{\"by\":\"ann\"}"));
    assertThat(stored.outcome()).isEqualTo(SignalResult.Outcome.STORED);
    assertThat(stored.state()).isEqualTo(JobState.PENDING);
    SignalResult dup = b.signal(new SignalRequest(ref, "approval", "{\"by\":\"bob\"}"));
    assertThat(dup.outcome()).isEqualTo(SignalResult.Outcome.DUPLICATE);
    b.signal(new SignalRequest(ref, "keel:cancel", "{}"));

    JobSteps s = steps(b, job);
    assertThat(s.signals())
        .extracting(sig -> sig.name())
        .containsExactly("approval", "keel:cancel");
    assertThat(s.signals().get(0).payload()).isEqualTo("{\"by\":\"ann\"}");
    assertThat(s.signals().get(0).sentAt()).isNotNull();

    Job running = claim(b, 10).get(0);
    StepWriteResult w =
        b.saveSteps(StepWriteRequest.of(lease(running), new StepWrite("reserve", 0, "{}")));
    assertThat(w.controlSignals())
        .as("a running job learns of control signals with its next step write")
        .containsExactly("keel:cancel");

    finish(b, new Finish.Succeed(lease(running)));
    SignalResult late = b.signal(new SignalRequest(ref, "late", "{}"));
    assertThat(late.outcome()).isEqualTo(SignalResult.Outcome.FINISHED);
    assertThat(late.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(steps(b, job).signals()).hasSize(2);

    NewJob cancelled = jobs.of("onboard").build();
    enqueue(b, cancelled);
    b.cancel(new CancelRequest(new JobRef(cancelled.tenant(), cancelled.id()), "no"));
    assertThat(
            b.signal(new SignalRequest(new JobRef("default", cancelled.id()), "x", "{}")).outcome())
        .isEqualTo(SignalResult.Outcome.FINISHED);
  }

  @Test
  void aFailedJobKeepsSignalsForWhenItIsRedriven() {
    QueueBackend b = empty();
    NewJob job = jobs.of("onboard").build();
    Job running = enqueueAndClaim(b, job);
    finish(b, new Finish.Fail(lease(running), dev.keel.queue.JobError.of("boom")));
    SignalResult r = b.signal(new SignalRequest(new JobRef("default", job.id()), "keel:x", "{}"));
    assertThat(r.outcome()).isEqualTo(SignalResult.Outcome.STORED);
    assertThat(r.state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void aSuspendedJobGivesItsAttemptBackAndWaitsUntilItsSignalArrives() {
    QueueBackend b = empty();
    NewJob job = jobs.of("onboard").build();
    Job running = enqueueAndClaim(b, job);
    assertThat(running.attempt()).isEqualTo(1);

    assertThat(b.suspend(new SuspendRequest(lease(running), LONG, "approval")).applied())
        .containsExactly(job.id());
    Job suspended = find(b, job);
    assertThat(suspended.state()).isEqualTo(JobState.PENDING);
    assertThat(suspended.attempt()).as("waiting uses no attempt").isZero();
    assertThat(suspended.lease()).isEmpty();
    assertThat(suspended.runAt()).isAfter(suspended.createdAt().plus(Duration.ofMinutes(30)));
    assertThat(claim(b, 10)).isEmpty();

    JobRef ref = new JobRef(job.tenant(), job.id());
    assertThat(b.signal(new SignalRequest(ref, "other", "{}")).outcome())
        .isEqualTo(SignalResult.Outcome.STORED);
    assertThat(claim(b, 10)).as("a signal of another name does not wake it").isEmpty();

    assertThat(b.signal(new SignalRequest(ref, "approval", "{\"ok\":true}")).outcome())
        .isEqualTo(SignalResult.Outcome.STORED);
    Job woken = claim(b, 10).stream().findFirst().orElseThrow();
    assertThat(woken.id()).isEqualTo(job.id());
    assertThat(woken.attempt()).isEqualTo(1);

    // Suspended again for the same name: the stored signal makes it due at once.
    b.suspend(new SuspendRequest(lease(woken), LONG, "approval"));
    assertThat(claim(b, 10)).extracting(Job::id).containsExactly(job.id());
  }

  @Test
  void aSignalThatArrivedWhileTheJobRanIsNotMissedBySuspend() {
    QueueBackend b = empty();
    NewJob job = jobs.of("onboard").build();
    Job running = enqueueAndClaim(b, job);
    b.signal(new SignalRequest(new JobRef(job.tenant(), job.id()), "approval", "{}"));
    b.suspend(new SuspendRequest(lease(running), LONG, "approval"));
    assertThat(claim(b, 10)).extracting(Job::id).containsExactly(job.id());
  }

  @Test
  void aControlSignalWakesAnySuspendedJobAndSuspendWithAStaleLeaseIsLost() {
    QueueBackend b = empty();
    NewJob sleeper = jobs.of("onboard").build();
    Job running = enqueueAndClaim(b, sleeper);
    b.suspend(new SuspendRequest(lease(running), LONG, ""));
    JobRef ref = new JobRef(sleeper.tenant(), sleeper.id());
    b.signal(new SignalRequest(ref, "approval", "{}"));
    assertThat(claim(b, 10)).as("a sleeping job waits for no signal").isEmpty();
    b.signal(new SignalRequest(ref, "keel:cancel", "{}"));
    List<Job> woken = claim(b, 10);
    assertThat(woken).extracting(Job::id).containsExactly(sleeper.id());

    assertThat(b.suspend(new SuspendRequest(lease(running), LONG, "x")).lost())
        .as("the first lease is stale")
        .containsExactly(sleeper.id());
    assertThat(find(b, sleeper).state()).isEqualTo(JobState.RUNNING);

    NewJob later = jobs.of("onboard").delay(LONG).build();
    enqueue(b, later);
    b.signal(new SignalRequest(new JobRef("default", later.id()), "keel:cancel", "{}"));
    assertThat(claim(b, 10)).as("a job that is not suspended keeps its runAt").isEmpty();
  }

  @Test
  void aChildrenSignalWakesOnlyTheSuspendAwaitingItsExactName() {
    QueueBackend b = empty();
    NewJob job = jobs.of("onboard").build();
    Job running = enqueueAndClaim(b, job);
    JobRef ref = new JobRef(job.tenant(), job.id());
    // The first children step ended: its signal stays stored for the job's lifetime.
    b.signal(new SignalRequest(ref, SignalRequest.CHILDREN_PREFIX + "regions", "{}"));

    Duration nap = Duration.ofSeconds(1);
    b.suspend(new SuspendRequest(lease(running), nap, ""));
    assertThat(claim(b, 10)).as("a later sleep is not made due by a children signal").isEmpty();
    b.signal(new SignalRequest(ref, SignalRequest.CHILDREN_PREFIX + "other", "{}"));
    assertThat(claim(b, 10)).as("nor woken by one that arrives while it sleeps").isEmpty();

    fixture.passTime(nap.plusMillis(100));
    Job again = claim(b, 10).get(0);
    b.suspend(new SuspendRequest(lease(again), LONG, SignalRequest.CHILDREN_PREFIX + "zones"));
    assertThat(claim(b, 10)).as("a second children step waits for its own signal").isEmpty();
    b.signal(new SignalRequest(ref, SignalRequest.CHILDREN_PREFIX + "zones", "{}"));
    Job woken = claim(b, 10).get(0);
    assertThat(woken.id()).isEqualTo(job.id());

    b.suspend(new SuspendRequest(lease(woken), LONG, SignalRequest.CHILDREN_PREFIX + "zones"));
    assertThat(claim(b, 10))
        .as("its stored signal makes a suspend awaiting it due at once")
        .extracting(Job::id)
        .containsExactly(job.id());
  }

  @Test
  void aSuspendedJobBecomesDueWhenItsDelayPasses() {
    QueueBackend b = empty();
    NewJob job = jobs.of("onboard").build();
    Job running = enqueueAndClaim(b, job);
    b.suspend(new SuspendRequest(lease(running), Duration.ofMillis(50), "approval"));
    assertThat(claim(b, 10)).isEmpty();
    fixture.passTime(Duration.ofMillis(60));
    assertThat(claim(b, 10)).extracting(Job::id).containsExactly(job.id());
  }

  @Test
  void aRescueGivesAJobWithStepRecordsTwoAttemptsMoreThanItsMaximum() {
    QueueBackend b = empty();
    NewJob plain = jobs.of("plain").maxAttempts(1).build();
    NewJob stepped = jobs.of("stepped").maxAttempts(1).build();
    enqueue(b, plain, stepped);
    Duration shortLease = Duration.ofMillis(200);
    List<Job> claimed = claimFor(b, shortLease);
    Job withSteps = claimed.stream().filter(j -> j.id().equals(stepped.id())).findFirst().get();
    assertThat(
            b.saveSteps(
                    StepWriteRequest.of(
                        lease(withSteps), new StepWrite("charge", 0, "{\"state\":\"COMPLETED\"}")))
                .applied())
        .isTrue();

    fixture.passTime(Duration.ofMillis(300));
    dev.keel.queue.spi.RescueResult first = b.rescue(new dev.keel.queue.spi.RescueRequest(10));
    assertThat(first.failed()).as("no steps: no attempt left").containsExactly(plain.id());
    assertThat(first.retried()).as("steps: a run to compensate").containsExactly(stepped.id());
    assertThat(find(b, stepped).state()).isEqualTo(JobState.PENDING);

    for (int attempt = 2;
        attempt <= 1 + dev.keel.queue.spi.RescueRequest.EXTRA_RUNS_WITH_STEPS;
        attempt++) {
      Job again = claimFor(b, shortLease).get(0);
      assertThat(again.attempt()).isEqualTo(attempt);
      fixture.passTime(Duration.ofMillis(300));
      dev.keel.queue.spi.RescueResult r = b.rescue(new dev.keel.queue.spi.RescueRequest(10));
      if (attempt < 1 + dev.keel.queue.spi.RescueRequest.EXTRA_RUNS_WITH_STEPS) {
        assertThat(r.retried()).containsExactly(stepped.id());
      } else {
        assertThat(r.failed())
            .as("bounded: a job that kills its worker every time ends")
            .containsExactly(stepped.id());
      }
    }
    Job failed = find(b, stepped);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.lastError().message()).contains("lease expired");
  }

  private static List<Job> claimFor(QueueBackend b, Duration lease) {
    return b.claim(
            new dev.keel.queue.spi.ClaimRequest(
                "w", java.util.Set.of(), java.util.Set.of(), java.util.Set.of(), null, 10, lease))
        .jobs();
  }
}
