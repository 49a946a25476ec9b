package dev.keel.queue.spi;

import java.time.Instant;
import java.util.Objects;

/** One stored sample: when the backend took it, and the JSON the caller gave. */
public record StoredSample(Instant at, String body) {
  public StoredSample {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(body, "body");
  }
}
