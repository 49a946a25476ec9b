package dev.keel.queue.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Claim up to {@code limit} due PENDING jobs for one worker.
 *
 * @param workerId stored as the lease owner
 * @param queues queues to claim from; empty means every queue
 * @param includeTypes if non-empty, only these types
 * @param excludeTypes never these types
 * @param tenant only this tenant, or null for any
 * @param limit 1 or more
 * @param leaseDuration the lease expires this long after the claim, on the backend's clock
 */
public record ClaimRequest(
    String workerId,
    Set<String> queues,
    Set<String> includeTypes,
    Set<String> excludeTypes,
    String tenant,
    int limit,
    Duration leaseDuration) {

  public ClaimRequest {
    Objects.requireNonNull(workerId, "workerId");
    queues = queues == null ? Set.of() : Set.copyOf(queues);
    includeTypes = includeTypes == null ? Set.of() : Set.copyOf(includeTypes);
    excludeTypes = excludeTypes == null ? Set.of() : Set.copyOf(excludeTypes);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("leaseDuration must be positive");
    }
  }

  /** True if a job of this type, queue and tenant may be claimed by this request. */
  public boolean matches(String type, String queue, String jobTenant) {
    return (queues.isEmpty() || queues.contains(queue))
        && (includeTypes.isEmpty() || includeTypes.contains(type))
        && !excludeTypes.contains(type)
        && (tenant == null || tenant.equals(jobTenant));
  }
}
