package dev.keel.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An immutable snapshot of one job as the backend stored it. The payload is canonical JSON text;
 * {@link JobClient#payload(Job, Class)} turns it back into a typed value.
 *
 * <p>Times come from the backend's clock (database {@code now()}, Redis {@code TIME}, or the inline
 * backend's injected clock). Nullable fields: {@code startedAt}, {@code finishedAt}, the lease
 * fields, {@code heartbeatAt}, {@code progress}, {@code lastError}, {@code idempotencyKey}, {@code
 * traceparent}, {@code timeout}, {@code concurrencyKey} (then {@code concurrencyLimit} is 0).
 * {@code links} is {@link JobLinks#NONE} for a job without batch, dependencies or callback; a job
 * whose {@code links().blocked()} is true waits to be released and shows its createdAt as runAt.
 */
public record Job(
    UUID id,
    String type,
    String queue,
    String tenant,
    String payload,
    int priority,
    JobState state,
    int attempt,
    int maxAttempts,
    Instant runAt,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    String leaseOwner,
    String leaseToken,
    Instant leaseExpiresAt,
    Instant heartbeatAt,
    JobProgress progress,
    JobError lastError,
    String idempotencyKey,
    String traceparent,
    Map<String, String> metadata,
    Duration timeout,
    String concurrencyKey,
    int concurrencyLimit,
    JobLinks links) {

  public Job {
    links = links == null ? JobLinks.NONE : links;
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(createdAt, "createdAt");
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** A job without a concurrency key. */
  public Job(
      UUID id,
      String type,
      String queue,
      String tenant,
      String payload,
      int priority,
      JobState state,
      int attempt,
      int maxAttempts,
      Instant runAt,
      Instant createdAt,
      Instant startedAt,
      Instant finishedAt,
      String leaseOwner,
      String leaseToken,
      Instant leaseExpiresAt,
      Instant heartbeatAt,
      JobProgress progress,
      JobError lastError,
      String idempotencyKey,
      String traceparent,
      Map<String, String> metadata,
      Duration timeout) {
    this(
        id,
        type,
        queue,
        tenant,
        payload,
        priority,
        state,
        attempt,
        maxAttempts,
        runAt,
        createdAt,
        startedAt,
        finishedAt,
        leaseOwner,
        leaseToken,
        leaseExpiresAt,
        heartbeatAt,
        progress,
        lastError,
        idempotencyKey,
        traceparent,
        metadata,
        timeout,
        null,
        0,
        JobLinks.NONE);
  }

  /** The lease this snapshot shows, present only while RUNNING. */
  public Optional<Lease> lease() {
    if (state != JobState.RUNNING || leaseToken == null) {
      return Optional.empty();
    }
    return Optional.of(new Lease(id, attempt, leaseOwner, leaseToken));
  }

  /** The job's timeout, if one was set at enqueue. */
  public Optional<Duration> timeoutIfSet() {
    return Optional.ofNullable(timeout);
  }
}
