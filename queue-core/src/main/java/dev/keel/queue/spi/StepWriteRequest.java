package dev.keel.queue.spi;

import dev.keel.queue.Lease;
import java.util.List;
import java.util.Objects;

/**
 * Store step records on a RUNNING job, fenced by its lease: all of them if the job is RUNNING with
 * the lease's token, none otherwise (a worker that lost its lease cannot write a step result).
 */
public record StepWriteRequest(Lease lease, List<StepWrite> steps) {
  public StepWriteRequest {
    Objects.requireNonNull(lease, "lease");
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("steps must not be empty");
    }
  }

  public static StepWriteRequest of(Lease lease, StepWrite step) {
    return new StepWriteRequest(lease, List.of(step));
  }
}
