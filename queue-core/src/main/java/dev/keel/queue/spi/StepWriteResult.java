package dev.keel.queue.spi;

import java.util.Set;

/**
 * The outcome of {@link QueueBackend#saveSteps}.
 *
 * @param applied false if the lease was no longer held (nothing was written)
 * @param controlSignals the names of the job's stored signals that start with {@link
 *     SignalRequest#CONTROL_PREFIX} (cancel or compensate requests), so a running job learns of
 *     them at its next step without another round trip; empty when not applied
 */
public record StepWriteResult(boolean applied, Set<String> controlSignals) {
  public StepWriteResult {
    controlSignals = Set.copyOf(controlSignals);
  }

  public static StepWriteResult lost() {
    return new StepWriteResult(false, Set.of());
  }
}
