package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.Job;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobOutcomeException;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.steps.StepInfo;
import dev.keel.queue.steps.StepReport;
import dev.keel.queue.steps.StepState;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Saga compensation through Keel's engine: when a job fails for good or is cancelled, the
 * compensations of its completed steps run in reverse order, each until it returns once.
 */
public abstract class SagaConformanceTest extends StepTestSupport {

  private final AtomicInteger undoFailures = new AtomicInteger();

  /** reserve, charge, provision (fails as {@code failure} says), email; each with an undo. */
  private JobHandler<Order> onboarding(String failure) {
    return ctx -> {
      ctx.step("reserve", Integer.class, () -> ran("reserve", 1), r -> ran("undo-reserve", r));
      ctx.step(
          "charge",
          Integer.class,
          () -> ran("charge", 2),
          r -> {
            if (undoFailures.getAndDecrement() > 0) {
              ran("undo-charge-failed", r);
              throw new IllegalStateException("refund API down");
            }
            ran("undo-charge", r);
          });
      ctx.step(
          "provision",
          Integer.class,
          () -> {
            ran("provision", 3);
            if (failure.equals("permanent")) {
              throw JobOutcomeException.permanentFailure("no capacity in region");
            }
            throw new IllegalStateException("provisioning timed out");
          },
          r -> ran("undo-provision", r));
      ctx.step("email", Integer.class, () -> ran("email", 4), r -> ran("undo-email", r));
      return JobOutcome.success();
    };
  }

  @Test
  void aPermanentFailureRunsTheCompensationsOfCompletedStepsInReverseOrderOnce() {
    QueueBackend b = empty();
    undoFailures.set(0);
    Keel keel = node(b, "onboard", 5, onboarding("permanent"));
    UUID id = enqueue(keel, "onboard");
    start(keel, 1);
    Job failed = awaitState(keel, id, JobState.FAILED);
    assertThat(log)
        .containsExactly("reserve", "charge", "provision", "undo-charge", "undo-reserve");
    assertThat(failed.lastError().message())
        .contains("no capacity in region")
        .contains("compensated 2 step(s)");
    StepReport r = report(keel, id);
    assertThat(r.compensation()).isEqualTo(StepState.COMPENSATED);
    assertThat(r.compensationReason()).contains("no capacity in region");
    assertThat(r.steps())
        .extracting(StepInfo::state)
        .containsExactly(StepState.COMPENSATED, StepState.COMPENSATED, StepState.FAILED);
  }

  @Test
  void exhaustedAttemptsCompensateOnceAndCompletedStepsNeverRerun() {
    QueueBackend b = empty();
    undoFailures.set(0);
    Keel keel = node(b, "onboard", 3, onboarding("retry"));
    UUID id = enqueue(keel, "onboard");
    start(keel, 1);
    awaitState(keel, id, JobState.FAILED);
    assertThat(runs("reserve")).isEqualTo(1);
    assertThat(runs("charge")).isEqualTo(1);
    assertThat(runs("provision")).isEqualTo(3);
    assertThat(runs("undo-charge")).isEqualTo(1);
    assertThat(runs("undo-reserve")).isEqualTo(1);
    assertThat(runs("undo-provision")).as("a step that never completed is not undone").isZero();
    assertThat(log.indexOf("undo-charge")).isLessThan(log.indexOf("undo-reserve"));
  }

  @Test
  void aFailingCompensationIsRetriedAndRecordedAndNeverRunsAgainAfterItReturned() {
    QueueBackend b = empty();
    undoFailures.set(2);
    Keel keel = node(b, "onboard", 1, onboarding("permanent"));
    UUID id = enqueue(keel, "onboard");
    start(keel, 1);
    awaitState(keel, id, JobState.FAILED);
    assertThat(runs("undo-charge-failed")).isEqualTo(2);
    assertThat(runs("undo-charge")).isEqualTo(1);
    assertThat(runs("undo-reserve")).isEqualTo(1);
    assertThat(runs("reserve")).as("replays do not rerun completed steps").isEqualTo(1);
    assertThat(runs("provision")).as("nor the step that failed").isEqualTo(1);
    StepInfo charge = report(keel, id).steps().get(1);
    assertThat(charge.state()).isEqualTo(StepState.COMPENSATED);
    assertThat(charge.compensationAttempts()).isEqualTo(3);
  }

  @Test
  void aCompensationThatNeverSucceedsIsMarkedForAPersonAndTheRestStillRun() {
    QueueBackend b = empty();
    undoFailures.set(100);
    Keel keel = node(b, "onboard", 1, onboarding("permanent"));
    UUID id = enqueue(keel, "onboard");
    start(keel, 1);
    Job failed = awaitState(keel, id, JobState.FAILED);
    assertThat(runs("undo-charge-failed"))
        .isEqualTo(dev.keel.queue.steps.StepLimits.COMPENSATION_ATTEMPTS);
    assertThat(runs("undo-reserve")).isEqualTo(1);
    StepReport r = report(keel, id);
    assertThat(r.compensation()).isEqualTo(StepState.COMPENSATION_FAILED);
    assertThat(r.steps().get(1).state()).isEqualTo(StepState.COMPENSATION_FAILED);
    assertThat(r.steps().get(1).error()).contains("refund API down");
    assertThat(failed.lastError().message()).contains("1 compensation(s) failed");
  }

  @Test
  void cancellingAWaitingJobRunsItsCompensationsThenCancelsIt() {
    QueueBackend b = empty();
    Keel keel =
        node(
            b,
            "approve",
            5,
            ctx -> {
              ctx.step(
                  "reserve", Integer.class, () -> ran("reserve", 1), r -> ran("undo-reserve", r));
              ctx.awaitSignal("approval", String.class, Duration.ofMinutes(10));
              ctx.step("ship", Integer.class, () -> ran("ship", 2));
              return JobOutcome.success();
            });
    UUID id = enqueue(keel, "approve");
    start(keel, 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                report(keel, id).steps().size() == 2
                    && keel.client().find(id).orElseThrow().state() == JobState.PENDING);
    assertThat(keel.client().cancel("default", id).changed()).isTrue();
    Job cancelled = awaitState(keel, id, JobState.CANCELLED);
    assertThat(log).containsExactly("reserve", "undo-reserve");
    assertThat(cancelled.lastError().message()).contains("cancelled via client");
    assertThat(report(keel, id).compensation()).isEqualTo(StepState.COMPENSATED);
  }

  @Test
  void aLastAttemptThatFailsBeforeReachingItsStepsStillCompensatesThem() {
    QueueBackend b = empty();
    AtomicInteger early = new AtomicInteger(1);
    Keel keel =
        node(
            b,
            "early",
            2,
            ctx -> {
              if (ctx.attempt() == 2 && early.getAndDecrement() > 0) {
                // A transient failure before any step, on the last attempt.
                throw new IllegalStateException("config service unreachable");
              }
              ctx.step(
                  "reserve", Integer.class, () -> ran("reserve", 1), r -> ran("undo-reserve", r));
              throw new IllegalStateException("provider down");
            });
    UUID id = enqueue(keel, "early");
    start(keel, 1);
    Job failed = awaitState(keel, id, JobState.FAILED);
    assertThat(log).containsExactly("reserve", "undo-reserve");
    assertThat(failed.lastError().message())
        .contains("config service unreachable")
        .contains("compensated 1 step(s)");
    assertThat(report(keel, id).compensation()).isEqualTo(StepState.COMPENSATED);
  }

  /** A step record in core's JSON, as a worker stores it. */
  private static String record(String state, int result, int compensationTries) {
    return "{\"kind\":\"STEP\",\"state\":\""
        + state
        + "\",\"result\":"
        + result
        + ",\"attempt\":1,\"startedAt\":\"2026-01-01T00:00:00Z\","
        + "\"finishedAt\":\"2026-01-01T00:00:01Z\",\"compensable\":true,"
        + "\"compensationAttempts\":"
        + compensationTries
        + "}";
  }

  /**
   * Enqueues an onboarding job with one attempt, claims it as a worker that then dies (its steps
   * stored, its lease left to expire) and rescues it.
   */
  private UUID diedOnItsLastAttempt(Keel keel, QueueBackend b, boolean whileCompensating) {
    return diedOnItsLastAttempt(keel, b, whileCompensating ? "COMPENSATING" : null, "FAIL");
  }

  /**
   * As above; {@code saga} the saga marker's state (null for none: the worker died mid-handler;
   * COMPENSATING: mid-compensation, charge undone; COMPENSATED: after every compensation ran, both
   * steps undone) with {@code outcome} FAIL or CANCEL.
   */
  private UUID diedOnItsLastAttempt(Keel keel, QueueBackend b, String saga, String outcome) {
    boolean whileCompensating = saga != null;
    boolean ended = "COMPENSATED".equals(saga);
    UUID id =
        keel.client()
            .enqueue(dev.keel.queue.JobRequest.of("onboard", new Order("o-1")).withMaxAttempts(1))
            .id();
    Job running =
        b.claim(
                new dev.keel.queue.spi.ClaimRequest(
                    "dead-worker",
                    java.util.Set.of(),
                    java.util.Set.of(),
                    java.util.Set.of(),
                    null,
                    1,
                    Duration.ofMillis(200)))
            .jobs()
            .get(0);
    java.util.List<dev.keel.queue.spi.StepWrite> writes = new java.util.ArrayList<>();
    writes.add(
        new dev.keel.queue.spi.StepWrite(
            "reserve", 0, record(ended ? "COMPENSATED" : "COMPLETED", 1, ended ? 1 : 0)));
    writes.add(
        new dev.keel.queue.spi.StepWrite(
            "charge",
            1,
            record(whileCompensating ? "COMPENSATED" : "COMPLETED", 2, whileCompensating ? 1 : 0)));
    if (whileCompensating) {
      writes.add(
          new dev.keel.queue.spi.StepWrite(
              "keel:saga",
              2,
              "{\"state\":\""
                  + saga
                  + "\",\"attempt\":1,\"error\":\""
                  + (outcome.equals("CANCEL") ? "cancelled via client" : "provider down")
                  + "\",\"compensable\":false,\"compensationAttempts\":0,\"outcome\":\""
                  + outcome
                  + "\"}"));
    }
    assertThat(
            b.saveSteps(
                    new dev.keel.queue.spi.StepWriteRequest(running.lease().orElseThrow(), writes))
                .applied())
        .isTrue();
    fixture.passTime(Duration.ofMillis(300));
    assertThat(b.rescue(new dev.keel.queue.spi.RescueRequest(10)).retried())
        .as("a job with steps gets a run to compensate")
        .containsExactly(id);
    return id;
  }

  @Test
  void aWorkerThatDiedMidHandlerOnTheLastAttemptLeavesItsStepsToBeCompensated() {
    QueueBackend b = empty();
    undoFailures.set(0);
    Keel keel = node(b, "onboard", 1, onboarding("permanent"));
    UUID id = diedOnItsLastAttempt(keel, b, false);
    start(keel, 1);
    Job failed = awaitState(keel, id, JobState.FAILED);
    assertThat(log)
        .as("the handler does not run anew: only the undos")
        .containsExactly("undo-charge", "undo-reserve");
    assertThat(failed.lastError().message())
        .contains("lease expired")
        .contains("compensated 2 step(s)");
    assertThat(report(keel, id).compensation()).isEqualTo(StepState.COMPENSATED);
  }

  @Test
  void aWorkerThatDiedWhileCompensatingOnTheLastAttemptIsResumedAndNothingUndoneTwice() {
    QueueBackend b = empty();
    undoFailures.set(0);
    Keel keel = node(b, "onboard", 1, onboarding("permanent"));
    UUID id = diedOnItsLastAttempt(keel, b, true);
    start(keel, 1);
    Job failed = awaitState(keel, id, JobState.FAILED);
    assertThat(log).as("charge was undone before the crash").containsExactly("undo-reserve");
    assertThat(failed.lastError().message())
        .contains("provider down")
        .contains("compensated 2 step(s)");
    StepReport r = report(keel, id);
    assertThat(r.compensation()).isEqualTo(StepState.COMPENSATED);
    assertThat(r.steps())
        .extracting(StepInfo::state)
        .containsExactly(StepState.COMPENSATED, StepState.COMPENSATED);
  }

  @Test
  void aWorkerThatDiedAfterItsCompensationsEndedOnTheLastAttemptEndsTheJobAsItsSagaDecided() {
    QueueBackend b = empty();
    undoFailures.set(0);
    Keel keel = node(b, "onboard", 1, onboarding("permanent"));
    UUID failedId = diedOnItsLastAttempt(keel, b, "COMPENSATED", "FAIL");
    start(keel, 1);
    Job failed = awaitState(keel, failedId, JobState.FAILED);
    assertThat(log).as("nothing is undone twice and the handler does not run").isEmpty();
    assertThat(failed.lastError().message())
        .isEqualTo("provider down (compensated 2 step(s))")
        .doesNotContain("lease expired");
    assertThat(report(keel, failedId).compensation()).isEqualTo(StepState.COMPENSATED);
  }

  @Test
  void aWorkerThatDiedAfterTheCompensationsOfACancelEndedOnTheLastAttemptCancelsTheJob() {
    QueueBackend b = empty();
    undoFailures.set(0);
    Keel keel = node(b, "onboard", 1, onboarding("permanent"));
    UUID id = diedOnItsLastAttempt(keel, b, "COMPENSATED", "CANCEL");
    start(keel, 1);
    Job cancelled = awaitState(keel, id, JobState.CANCELLED);
    assertThat(log).isEmpty();
    assertThat(cancelled.lastError().message())
        .isEqualTo("cancelled via client (compensated 2 step(s))");
  }
}
