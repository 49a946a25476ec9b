package dev.keel.queue.spi;

import java.util.List;

/** One outcome per fire, in request order. */
public record ScheduleFireResult(List<ScheduleFireOutcome> outcomes) {
  public ScheduleFireResult {
    outcomes = List.copyOf(outcomes);
  }
}
