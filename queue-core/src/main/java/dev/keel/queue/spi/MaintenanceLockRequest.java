package dev.keel.queue.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Take or renew a backend-wide lock for {@code owner} for {@code ttl}. Succeeds if the lock is
 * free, expired, or already held by the same owner.
 *
 * @param name which lock: {@link #MAINTENANCE} (rescue and prune) unless the backend says {@link
 *     BackendCapabilities#opsData()}, which also promises independent locks under other names (the
 *     operations console's alert evaluator takes {@code "ops"}, so it never competes with
 *     maintenance)
 */
public record MaintenanceLockRequest(String owner, Duration ttl, String name) {
  /** The lock that workers' maintenance takes. */
  public static final String MAINTENANCE = "maintenance";

  public MaintenanceLockRequest {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(name, "name");
    if (!name.matches("[a-z][a-z0-9-]{0,39}")) {
      throw new IllegalArgumentException(
          "lock name must be lower-case letters, digits and '-', at most 40, was " + name);
    }
  }

  /** The maintenance lock. */
  public MaintenanceLockRequest(String owner, Duration ttl) {
    this(owner, ttl, MAINTENANCE);
  }
}
