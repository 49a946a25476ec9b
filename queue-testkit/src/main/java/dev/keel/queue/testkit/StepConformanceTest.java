package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.Job;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.steps.StepInfo;
import dev.keel.queue.steps.StepKind;
import dev.keel.queue.steps.StepReport;
import dev.keel.queue.steps.StepState;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Checkpointed steps and durable sleeps through Keel's engine: a later attempt returns stored
 * results instead of running completed blocks again, a stale worker's step result is rejected, and
 * step misuse is a typed error.
 */
public abstract class StepConformanceTest extends StepTestSupport {

  @Test
  void aWorkerStoppedAfterStepTwoOfFourNeverRunsStepsOneAndTwoAgain() throws Exception {
    QueueBackend b = empty();
    CountDownLatch atStep3 = new CountDownLatch(1);
    Keel keel =
        node(
            b,
            "onboard",
            5,
            ctx -> {
              ctx.step("one", Integer.class, () -> ran("one", 1));
              int two = ctx.step("two", Integer.class, () -> ran("two", 2));
              if (ctx.attempt() == 1) {
                atStep3.countDown();
                Thread.sleep(60_000); // the worker dies here (interrupted by its shutdown)
              }
              int three = ctx.step("three", Integer.class, () -> ran("three", two + 1));
              ctx.step("four", Integer.class, () -> ran("four", three + 1));
              return JobOutcome.success();
            });
    UUID id = enqueue(keel, "onboard");
    Worker first =
        keel.worker()
            .queue("default", 1)
            .pollInterval(Duration.ofMillis(20))
            .shutdownGrace(Duration.ofMillis(100))
            .build()
            .start();
    assertThat(atStep3.await(20, TimeUnit.SECONDS)).isTrue();
    first.close();
    start(keel, 1);
    Job done = awaitState(keel, id, JobState.SUCCEEDED);
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(runs("one")).as("step one ran once").isEqualTo(1);
    assertThat(runs("two")).as("step two ran once").isEqualTo(1);
    assertThat(runs("three")).isEqualTo(1);
    assertThat(runs("four")).isEqualTo(1);

    StepReport r = report(keel, id);
    assertThat(r.steps()).extracting(StepInfo::name).containsExactly("one", "two", "three", "four");
    assertThat(r.steps()).allSatisfy(s -> assertThat(s.state()).isEqualTo(StepState.COMPLETED));
    assertThat(r.steps()).extracting(StepInfo::attempt).containsExactly(1, 1, 2, 2);
    assertThat(r.steps().get(3).resultSummary()).isEqualTo("4");
    assertThat(r.steps().get(0).startedAt()).isNotNull();
    assertThat(r.steps().get(0).finishedAt()).isNotNull();
    assertThat(r.compensation()).isNull();
  }

  @Test
  void aFailedBlockRunsAgainOnTheNextAttemptAndIsReportedFailedMeanwhile() {
    QueueBackend b = empty();
    Keel keel =
        node(
            b,
            "flaky",
            3,
            ctx -> {
              ctx.step("stable", String.class, () -> ran("stable", "ok"));
              ctx.step(
                  "flaky",
                  String.class,
                  () -> {
                    ran("flaky", null);
                    if (ctx.attempt() < 3) {
                      throw new IllegalStateException("provider down");
                    }
                    return "done";
                  });
              return JobOutcome.success();
            });
    UUID id = enqueue(keel, "flaky");
    start(keel, 1);
    awaitState(keel, id, JobState.SUCCEEDED);
    assertThat(runs("stable")).isEqualTo(1);
    assertThat(runs("flaky")).isEqualTo(3);
    StepInfo flaky = report(keel, id).steps().get(1);
    assertThat(flaky.state()).isEqualTo(StepState.COMPLETED);
    assertThat(flaky.attempt()).isEqualTo(3);
  }

  @Test
  void aStaleWorkersStepResultIsRejected() throws Exception {
    QueueBackend b = empty();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    Keel keel =
        node(
            b,
            "stale",
            1,
            ctx -> {
              ctx.step("one", Integer.class, () -> ran("one", 1));
              inside.countDown();
              go.await();
              ctx.step("two", Integer.class, () -> ran("two", 2));
              return JobOutcome.success();
            });
    UUID id = enqueue(keel, "stale");
    start(keel, 1);
    assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
    // Another party takes the job away (a cancel; a rescue does the same to the lease).
    keel.client().cancel("default", id);
    go.countDown();
    awaitState(keel, id, JobState.CANCELLED);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(5))
        .until(() -> report(keel, id).steps().size() == 1);
    assertThat(report(keel, id).steps()).extracting(StepInfo::name).containsExactly("one");
  }

  @Test
  void aRepeatedStepNameFailsTheJobPermanentlyWithATypedError() {
    QueueBackend b = empty();
    Keel keel =
        node(
            b,
            "twice",
            5,
            ctx -> {
              ctx.step("charge", Integer.class, () -> ran("charge", 1));
              ctx.step("charge", Integer.class, () -> ran("charge", 2));
              return JobOutcome.success();
            });
    UUID id = enqueue(keel, "twice");
    start(keel, 1);
    Job failed = awaitState(keel, id, JobState.FAILED);
    assertThat(failed.attempt())
        .as("no retry: the next attempt would break the rule again")
        .isEqualTo(1);
    assertThat(failed.lastError().message()).contains("name: step 'charge' was already used");
    assertThat(runs("charge")).isEqualTo(1);
  }

  @Test
  void aResultLargerThanTheLimitIsATypedErrorAndIsNotStored() {
    QueueBackend b = empty();
    Keel keel =
        node(
            b,
            "big",
            5,
            ctx -> {
              ctx.step("blob", String.class, () -> ran("blob", "x".repeat(70_000)));
              return JobOutcome.success();
            });
    UUID id = enqueue(keel, "big");
    start(keel, 1);
    Job failed = awaitState(keel, id, JobState.FAILED);
    assertThat(failed.lastError().message())
        .contains("result of step 'blob': must be at most 65536 bytes");
    assertThat(report(keel, id).steps()).isEmpty();
  }

  @Test
  void aDurableSleepHoldsNoWorkerUsesNoAttemptAndContinuesAfterIt() {
    QueueBackend b = empty();
    Keel keel =
        node(
            b,
            "sleepy",
            1,
            ctx -> {
              ctx.step("before", Integer.class, () -> ran("before", 1));
              ctx.sleep("cool-off", Duration.ofMillis(300));
              ctx.step("after", Integer.class, () -> ran("after", 2));
              return JobOutcome.success();
            });
    UUID id = enqueue(keel, "sleepy");
    start(keel, 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                report(keel, id).steps().size() == 2
                    && keel.client().find(id).orElseThrow().state() == JobState.PENDING);
    Job sleeping = keel.client().find(id).orElseThrow();
    assertThat(sleeping.attempt()).as("a sleep gives its attempt back").isZero();
    StepInfo nap = report(keel, id).steps().get(1);
    assertThat(nap.kind()).isEqualTo(StepKind.SLEEP);
    assertThat(nap.state()).isEqualTo(StepState.SLEEPING);
    assertThat(nap.until()).isNotNull();
    fixture.passTime(Duration.ofMillis(350));
    Job done = awaitState(keel, id, JobState.SUCCEEDED);
    assertThat(done.attempt()).as("maxAttempts 1 was enough").isEqualTo(1);
    assertThat(runs("before")).isEqualTo(1);
    assertThat(runs("after")).isEqualTo(1);
    assertThat(report(keel, id).steps().get(1).state()).isEqualTo(StepState.COMPLETED);
  }
}
