package dev.keel.queue.spi;

import java.time.Instant;
import java.util.Objects;

/** A step record as stored: what {@link StepWrite} wrote, and when (backend clock). */
public record StoredStep(String name, int seq, String body, Instant updatedAt) {
  public StoredStep {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }
}
