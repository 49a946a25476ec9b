package dev.keel.queue.spi;

import java.util.Objects;
import java.util.UUID;

/** A job addressed by tenant and id. A job of another tenant is "not found". */
public record JobRef(String tenant, UUID id) {
  public JobRef {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(id, "id");
  }
}
