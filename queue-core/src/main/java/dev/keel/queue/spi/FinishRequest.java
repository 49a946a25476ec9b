package dev.keel.queue.spi;

import java.util.List;

/**
 * Several finishes applied in one call (a worker coalesces completions). Each is fenced on its own:
 * one lost lease does not stop the others.
 */
public record FinishRequest(List<Finish> finishes) {
  public FinishRequest {
    finishes = List.copyOf(finishes);
  }

  public static FinishRequest of(Finish finish) {
    return new FinishRequest(List.of(finish));
  }
}
