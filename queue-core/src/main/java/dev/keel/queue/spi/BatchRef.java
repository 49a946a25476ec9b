package dev.keel.queue.spi;

import java.util.Objects;
import java.util.UUID;

/** A batch addressed within its tenant. */
public record BatchRef(String tenant, UUID id) {
  public BatchRef {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(id, "id");
  }
}
