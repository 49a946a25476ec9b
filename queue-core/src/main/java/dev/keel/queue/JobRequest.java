package dev.keel.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A job to enqueue: a type, a typed payload (serialized with Jackson) and options. Immutable; each
 * {@code with…} method returns a copy. Validation happens in {@link JobClient#enqueue}, before
 * anything is written, with an {@link InvalidJobException} naming the field.
 *
 * <pre>{@code
 * client.enqueue(JobRequest.of("email.welcome", new Welcome(userId))
 *     .withQueue("mail")
 *     .withIdempotencyKey("welcome:" + userId)
 *     .withDelay(Duration.ofMinutes(5)));
 * }</pre>
 *
 * @param <T> the payload type
 */
public final class JobRequest<T> {
  // The options are not final only so that with(...) can set them on a fresh copy; no request
  // changes once it has been returned.
  private final String type;
  private final T payload;
  private String queue;
  private String tenant;
  private Integer priority;
  private Instant runAt;
  private Duration delay;
  private Integer maxAttempts;
  private Duration timeout;
  private String idempotencyKey;
  private IdempotencyPolicy idempotencyPolicy;
  private String concurrencyKey;
  private Integer concurrencyLimit;
  private Map<String, String> metadata = Map.of();

  private JobRequest(String type, T payload) {
    this.type = type;
    this.payload = payload;
  }

  /** A job of {@code type} carrying {@code payload}; every option at its default. */
  public static <T> JobRequest<T> of(String type, T payload) {
    return new JobRequest<>(type, payload);
  }

  /** A copy of this request with {@code change} applied to it. */
  private JobRequest<T> with(Consumer<JobRequest<T>> change) {
    JobRequest<T> copy = new JobRequest<>(type, payload);
    copy.queue = queue;
    copy.tenant = tenant;
    copy.priority = priority;
    copy.runAt = runAt;
    copy.delay = delay;
    copy.maxAttempts = maxAttempts;
    copy.timeout = timeout;
    copy.idempotencyKey = idempotencyKey;
    copy.idempotencyPolicy = idempotencyPolicy;
    copy.concurrencyKey = concurrencyKey;
    copy.concurrencyLimit = concurrencyLimit;
    copy.metadata = metadata;
    change.accept(copy);
    return copy;
  }

  /** Queue name (default {@code default}). */
  public JobRequest<T> withQueue(String queue) {
    return with(r -> r.queue = queue);
  }

  /** Tenant (default {@code default}). */
  public JobRequest<T> withTenant(String tenant) {
    return with(r -> r.tenant = tenant);
  }

  /** Priority; lower runs first; {@link Limits#MIN_PRIORITY} to {@link Limits#MAX_PRIORITY}. */
  public JobRequest<T> withPriority(int priority) {
    return with(r -> r.priority = priority);
  }

  /** Not before this instant. Exclusive with {@link #withDelay}. */
  public JobRequest<T> withRunAt(Instant runAt) {
    return with(r -> r.runAt = runAt);
  }

  /** Not before this long from now, on the backend's clock. Exclusive with {@link #withRunAt}. */
  public JobRequest<T> withDelay(Duration delay) {
    return with(r -> r.delay = delay);
  }

  /** Attempts before the job is FAILED (default: the type's, else 20). */
  public JobRequest<T> withMaxAttempts(int maxAttempts) {
    return with(r -> r.maxAttempts = maxAttempts);
  }

  /** Execution timeout for each attempt; the handler's thread is interrupted when it passes. */
  public JobRequest<T> withTimeout(Duration timeout) {
    return with(r -> r.timeout = timeout);
  }

  /** Idempotency key, held per tenant while the job is active. */
  public JobRequest<T> withIdempotencyKey(String key) {
    return with(r -> r.idempotencyKey = key);
  }

  /** Idempotency key with an explicit policy. */
  public JobRequest<T> withIdempotencyKey(String key, IdempotencyPolicy policy) {
    return with(
        r -> {
          r.idempotencyKey = key;
          r.idempotencyPolicy = policy;
        });
  }

  /**
   * At most {@code limit} jobs with concurrency key {@code key} RUNNING at once, cluster-wide, in
   * every tenant (put the tenant in the key to limit per tenant). The claim enforces it atomically:
   * a job whose key is full stays PENDING, uses no attempt, and does not hold back other jobs. A
   * RUNNING job whose lease expired no longer counts. Overrides the type's {@link
   * JobType#withConcurrency rule}. Jobs sharing a key should share the limit: if they differ, the
   * limit of the key's first waiting job decides, and no job is claimed while its own is reached.
   *
   * <pre>{@code
   * JobRequest.of("mailbox.sync", sync).withConcurrency("mailbox:" + sync.mailboxId(), 1)
   * }</pre>
   */
  public JobRequest<T> withConcurrency(String key, int limit) {
    return with(
        r -> {
          r.concurrencyKey = key;
          r.concurrencyLimit = limit;
        });
  }

  /** Adds one metadata entry (string to string). */
  public JobRequest<T> withMetadata(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(metadata);
    m.put(key, value);
    return with(r -> r.metadata = m);
  }

  /** Replaces all metadata. */
  public JobRequest<T> withMetadata(Map<String, String> metadata) {
    Map<String, String> m = new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata"));
    return with(r -> r.metadata = m);
  }

  public String type() {
    return type;
  }

  public T payload() {
    return payload;
  }

  public String queue() {
    return queue;
  }

  public String tenant() {
    return tenant;
  }

  public Integer priority() {
    return priority;
  }

  public Instant runAt() {
    return runAt;
  }

  public Duration delay() {
    return delay;
  }

  public Integer maxAttempts() {
    return maxAttempts;
  }

  public Duration timeout() {
    return timeout;
  }

  public String idempotencyKey() {
    return idempotencyKey;
  }

  public IdempotencyPolicy idempotencyPolicy() {
    return idempotencyPolicy;
  }

  /** The concurrency key set by {@link #withConcurrency}, or null. */
  public String concurrencyKey() {
    return concurrencyKey;
  }

  /** The concurrency limit set by {@link #withConcurrency}, or null. */
  public Integer concurrencyLimit() {
    return concurrencyLimit;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public String toString() {
    return "JobRequest[type=" + type + ", queue=" + queue + ", tenant=" + tenant + "]";
  }
}
