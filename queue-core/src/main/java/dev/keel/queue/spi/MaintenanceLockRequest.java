package dev.keel.queue.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Take or renew the backend-wide maintenance lock for {@code owner} for {@code ttl}. Succeeds if
 * the lock is free, expired, or already held by the same owner.
 */
public record MaintenanceLockRequest(String owner, Duration ttl) {
  public MaintenanceLockRequest {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(ttl, "ttl");
  }
}
