package dev.keel.queue.spi;

import java.time.Instant;
import java.util.Objects;

/** A signal stored on a job: its name, its JSON payload and when it arrived (backend clock). */
public record StoredSignal(String name, String payload, Instant sentAt) {
  public StoredSignal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(sentAt, "sentAt");
  }
}
