package dev.keel.queue.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Store one sample of the queue's figures (the backlog trend), stamped with backend now, and delete
 * samples older than {@code keep} before now (bounded: a backend deletes at most a few thousand per
 * call), so the kept series never grows past {@code keep}.
 *
 * @param body JSON text stored as given
 */
public record SampleWriteRequest(String body, Duration keep) {
  public SampleWriteRequest {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(keep, "keep");
    if (keep.isNegative() || keep.isZero()) {
      throw new IllegalArgumentException("keep must be positive");
    }
  }
}
