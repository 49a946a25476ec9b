package dev.keel.queue;

import java.util.Objects;
import java.util.function.Function;

/**
 * A job type's concurrency rule: the concurrency key of each job, computed from its payload, and
 * the most jobs of one key that may run at once. See {@link JobType#withConcurrency} and {@link
 * JobRequest#withConcurrency}.
 *
 * @param key the key of a payload; null or blank means "no limit for this job"
 * @param limit 1 to {@link Limits#MAX_CONCURRENCY_LIMIT}
 * @param <T> the payload type
 */
public record ConcurrencyRule<T>(Function<? super T, String> key, int limit) {
  public ConcurrencyRule {
    Objects.requireNonNull(key, "key");
    if (limit < 1 || limit > Limits.MAX_CONCURRENCY_LIMIT) {
      throw new KeelConfigurationException(
          "JobType.concurrency limit must be between 1 and "
              + Limits.MAX_CONCURRENCY_LIMIT
              + ", was "
              + limit);
    }
  }
}
