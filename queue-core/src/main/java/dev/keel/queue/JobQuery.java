package dev.keel.queue;

import java.util.Set;
import java.util.UUID;

/**
 * A page request over one tenant's jobs, ordered by id ascending (ids are time-ordered, so this is
 * creation order, and stable while jobs change state).
 *
 * @param states if non-empty, only these states
 * @param type null for any
 * @param queue null for any
 * @param after only ids strictly greater (the previous page's {@link JobPage#next()}); null for the
 *     first page
 * @param limit 1 to {@link #MAX_LIMIT}
 */
public record JobQuery(
    String tenant, Set<JobState> states, String type, String queue, UUID after, int limit) {
  public static final int MAX_LIMIT = 1_000;
  public static final int DEFAULT_LIMIT = 100;

  public JobQuery {
    if (tenant == null || tenant.isBlank()) {
      throw new InvalidJobException("tenant", "must not be blank");
    }
    states = states == null ? Set.of() : Set.copyOf(states);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidJobException(
          "limit", "must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
  }

  /** The first page of a tenant's jobs, {@value #DEFAULT_LIMIT} at a time, every state. */
  public static JobQuery tenant(String tenant) {
    return new JobQuery(tenant, Set.of(), null, null, null, DEFAULT_LIMIT);
  }

  public JobQuery withStates(JobState... states) {
    return new JobQuery(tenant, Set.of(states), type, queue, after, limit);
  }

  public JobQuery withType(String type) {
    return new JobQuery(tenant, states, type, queue, after, limit);
  }

  public JobQuery withQueue(String queue) {
    return new JobQuery(tenant, states, type, queue, after, limit);
  }

  public JobQuery withAfter(UUID after) {
    return new JobQuery(tenant, states, type, queue, after, limit);
  }

  public JobQuery withLimit(int limit) {
    return new JobQuery(tenant, states, type, queue, after, limit);
  }

  /** True if {@code job} belongs on a page of this query (ignoring the limit). */
  public boolean matches(Job job) {
    return job.tenant().equals(tenant)
        && (states.isEmpty() || states.contains(job.state()))
        && (type == null || type.equals(job.type()))
        && (queue == null || queue.equals(job.queue()))
        && (after == null || job.id().compareTo(after) > 0);
  }
}
