package dev.keel.queue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.InvalidInputException;
import dev.keel.queue.Job;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.SignalResult;
import dev.keel.queue.steps.SignalTimeoutException;
import dev.keel.queue.steps.StepInfo;
import dev.keel.queue.steps.StepKind;
import dev.keel.queue.steps.StepState;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Signals through Keel's engine: sent before or after the wait, a timeout the handler handles,
 * tenant scoping and refused input.
 */
public abstract class SignalConformanceTest extends StepTestSupport {
  public record Approval(String by) {}

  private final AtomicReference<String> seen = new AtomicReference<>();

  private Keel approvalNode(QueueBackend b, Duration timeout) {
    seen.set(null);
    return node(
        b,
        "approve",
        1,
        ctx -> {
          ctx.step("draft", Integer.class, () -> ran("draft", 1));
          try {
            Approval a = ctx.awaitSignal("approval", Approval.class, timeout);
            seen.set(a.by());
          } catch (SignalTimeoutException e) {
            seen.set("timeout");
          }
          ctx.step("publish", Integer.class, () -> ran("publish", 2));
          return JobOutcome.success();
        });
  }

  @Test
  void aSignalSentBeforeTheJobWaitsIsNotLost() {
    QueueBackend b = empty();
    Keel keel = approvalNode(b, Duration.ofMinutes(10));
    UUID id = enqueue(keel, "approve");
    SignalResult r = keel.client().signal("default", id, "approval", new Approval("ann"));
    assertThat(r.outcome()).isEqualTo(SignalResult.Outcome.STORED);
    start(keel, 1);
    Job done = awaitState(keel, id, JobState.SUCCEEDED);
    assertThat(seen.get()).isEqualTo("ann");
    assertThat(done.attempt()).isEqualTo(1);
    StepInfo wait = report(keel, id).steps().get(1);
    assertThat(wait.kind()).isEqualTo(StepKind.SIGNAL);
    assertThat(wait.state()).isEqualTo(StepState.COMPLETED);
    assertThat(wait.resultSummary()).isEqualTo("{\"by\":\"ann\"}");
  }

  @Test
  void aJobWaitsSuspendedUntilItsSignalArrivesThenContinues() {
    QueueBackend b = empty();
    Keel keel = approvalNode(b, Duration.ofMinutes(10));
    UUID id = enqueue(keel, "approve");
    start(keel, 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                report(keel, id).steps().size() == 2
                    && keel.client().find(id).orElseThrow().state() == JobState.PENDING);
    assertThat(report(keel, id).steps().get(1).state()).isEqualTo(StepState.WAITING);
    assertThat(keel.client().find(id).orElseThrow().attempt())
        .as("waiting uses no attempt")
        .isZero();

    assertThat(keel.client().signal("other-tenant", id, "approval", new Approval("eve")).outcome())
        .as("a signal is tenant-scoped")
        .isEqualTo(SignalResult.Outcome.NOT_FOUND);
    assertThat(keel.client().signal("default", id, "approval", new Approval("bob")).outcome())
        .isEqualTo(SignalResult.Outcome.STORED);
    assertThat(keel.client().signal("default", id, "approval", new Approval("eve")).outcome())
        .as("the first signal of a name wins")
        .isEqualTo(SignalResult.Outcome.DUPLICATE);
    Job done = awaitState(keel, id, JobState.SUCCEEDED);
    assertThat(seen.get()).isEqualTo("bob");
    assertThat(runs("draft")).isEqualTo(1);
    assertThat(runs("publish")).isEqualTo(1);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(keel.client().signal("default", id, "late", Map.of()).outcome())
        .isEqualTo(SignalResult.Outcome.FINISHED);
  }

  @Test
  void aWaitThatTimesOutThrowsATypedTimeoutTheHandlerHandles() {
    QueueBackend b = empty();
    Keel keel = approvalNode(b, Duration.ofMillis(200));
    UUID id = enqueue(keel, "approve");
    start(keel, 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> keel.client().find(id).orElseThrow().state() == JobState.PENDING);
    fixture.passTime(Duration.ofMillis(250));
    awaitState(keel, id, JobState.SUCCEEDED);
    assertThat(seen.get()).isEqualTo("timeout");
    assertThat(report(keel, id).steps().get(1).state()).isEqualTo(StepState.TIMED_OUT);
  }

  @Test
  void badSignalsAreRefusedWithTheFieldAndNothingIsStored() {
    QueueBackend b = empty();
    Keel keel = approvalNode(b, Duration.ofMinutes(10));
    UUID id = enqueue(keel, "approve");
    assertThatThrownBy(() -> keel.client().signal("default", id, "keel:cancel", Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("name: must not start with 'keel:'");
    assertThatThrownBy(() -> keel.client().signal("default", id, " ", Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("name: must not be blank");
    assertThatThrownBy(
            () -> keel.client().signal("default", id, "approval", Map.of("x", "y".repeat(70_000))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("payload: must be at most 65536 bytes");
    assertThat(report(keel, id).signals()).isEmpty();
  }
}
