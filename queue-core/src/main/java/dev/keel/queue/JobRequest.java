package dev.keel.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
  private final String type;
  private final T payload;
  private final String queue;
  private final String tenant;
  private final Integer priority;
  private final Instant runAt;
  private final Duration delay;
  private final Integer maxAttempts;
  private final Duration timeout;
  private final String idempotencyKey;
  private final IdempotencyPolicy idempotencyPolicy;
  private final Map<String, String> metadata;

  private JobRequest(
      String type,
      T payload,
      String queue,
      String tenant,
      Integer priority,
      Instant runAt,
      Duration delay,
      Integer maxAttempts,
      Duration timeout,
      String idempotencyKey,
      IdempotencyPolicy idempotencyPolicy,
      Map<String, String> metadata) {
    this.type = type;
    this.payload = payload;
    this.queue = queue;
    this.tenant = tenant;
    this.priority = priority;
    this.runAt = runAt;
    this.delay = delay;
    this.maxAttempts = maxAttempts;
    this.timeout = timeout;
    this.idempotencyKey = idempotencyKey;
    this.idempotencyPolicy = idempotencyPolicy;
    this.metadata = metadata;
  }

  /** A job of {@code type} carrying {@code payload}; every option at its default. */
  public static <T> JobRequest<T> of(String type, T payload) {
    return new JobRequest<>(
        type, payload, null, null, null, null, null, null, null, null, null, Map.of());
  }

  private JobRequest<T> copy(
      String queue,
      String tenant,
      Integer priority,
      Instant runAt,
      Duration delay,
      Integer maxAttempts,
      Duration timeout,
      String idempotencyKey,
      IdempotencyPolicy idempotencyPolicy,
      Map<String, String> metadata) {
    return new JobRequest<>(
        type,
        payload,
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        idempotencyKey,
        idempotencyPolicy,
        metadata);
  }

  /** Queue name (default {@code default}). */
  public JobRequest<T> withQueue(String queue) {
    return copy(
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        idempotencyKey,
        idempotencyPolicy,
        metadata);
  }

  /** Tenant (default {@code default}). */
  public JobRequest<T> withTenant(String tenant) {
    return copy(
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        idempotencyKey,
        idempotencyPolicy,
        metadata);
  }

  /** Priority; lower runs first; {@link Limits#MIN_PRIORITY} to {@link Limits#MAX_PRIORITY}. */
  public JobRequest<T> withPriority(int priority) {
    return copy(
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        idempotencyKey,
        idempotencyPolicy,
        metadata);
  }

  /** Not before this instant. Exclusive with {@link #withDelay}. */
  public JobRequest<T> withRunAt(Instant runAt) {
    return copy(
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        idempotencyKey,
        idempotencyPolicy,
        metadata);
  }

  /** Not before this long from now, on the backend's clock. Exclusive with {@link #withRunAt}. */
  public JobRequest<T> withDelay(Duration delay) {
    return copy(
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        idempotencyKey,
        idempotencyPolicy,
        metadata);
  }

  /** Attempts before the job is FAILED (default: the type's, else 20). */
  public JobRequest<T> withMaxAttempts(int maxAttempts) {
    return copy(
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        idempotencyKey,
        idempotencyPolicy,
        metadata);
  }

  /** Execution timeout for each attempt; the handler's thread is interrupted when it passes. */
  public JobRequest<T> withTimeout(Duration timeout) {
    return copy(
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        idempotencyKey,
        idempotencyPolicy,
        metadata);
  }

  /** Idempotency key, held per tenant while the job is active. */
  public JobRequest<T> withIdempotencyKey(String key) {
    return copy(
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        key,
        idempotencyPolicy,
        metadata);
  }

  /** Idempotency key with an explicit policy. */
  public JobRequest<T> withIdempotencyKey(String key, IdempotencyPolicy policy) {
    return copy(queue, tenant, priority, runAt, delay, maxAttempts, timeout, key, policy, metadata);
  }

  /** Adds one metadata entry (string to string). */
  public JobRequest<T> withMetadata(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(metadata);
    m.put(key, value);
    return copy(
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        idempotencyKey,
        idempotencyPolicy,
        m);
  }

  /** Replaces all metadata. */
  public JobRequest<T> withMetadata(Map<String, String> metadata) {
    return copy(
        queue,
        tenant,
        priority,
        runAt,
        delay,
        maxAttempts,
        timeout,
        idempotencyKey,
        idempotencyPolicy,
        new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
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

  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public String toString() {
    return "JobRequest[type=" + type + ", queue=" + queue + ", tenant=" + tenant + "]";
  }
}
