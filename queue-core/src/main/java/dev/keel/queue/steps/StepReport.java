package dev.keel.queue.steps;

import java.time.Instant;
import java.util.List;

/**
 * A job's durable steps, for people and dashboards: its steps in the order it reached them, the
 * signals it received, and its saga state.
 *
 * @param steps in the order the job first reached them
 * @param signals names and arrival times, in arrival order (control signals included)
 * @param compensation null if the job never compensated; else COMPENSATING (in progress),
 *     COMPENSATED (all undone) or COMPENSATION_FAILED (at least one could not be undone)
 * @param compensationReason why it compensated (the job's error or the cancel reason); null if none
 */
public record StepReport(
    List<StepInfo> steps, List<Signal> signals, StepState compensation, String compensationReason) {
  public StepReport {
    steps = List.copyOf(steps);
    signals = List.copyOf(signals);
  }

  /** A received signal. */
  public record Signal(String name, Instant sentAt) {}
}
