package dev.keel.queue.spi;

import java.util.List;

/** A job's step records in {@code seq} order and its signals in arrival order. */
public record JobSteps(List<StoredStep> steps, List<StoredSignal> signals) {
  public JobSteps {
    steps = List.copyOf(steps);
    signals = List.copyOf(signals);
  }
}
