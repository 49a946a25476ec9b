package dev.keel.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
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
  private UUID id;
  private List<UUID> dependsOn = List.of();
  private DependencyFailure onDependencyFailure;
  private UUID batchId;

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
    copy.id = id;
    copy.dependsOn = dependsOn;
    copy.onDependencyFailure = onDependencyFailure;
    copy.batchId = batchId;
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

  /**
   * The job's id, chosen by the caller instead of generated: so that jobs of one {@link
   * JobClient#enqueueAll} can {@link #dependsOn depend on} each other. Use {@link #newId()} for a
   * time-ordered id like the generated ones. An id already taken makes the enqueue fail and write
   * nothing.
   */
  public JobRequest<T> withId(UUID id) {
    return with(r -> r.id = Objects.requireNonNull(id, "id"));
  }

  /**
   * Run only after all of these jobs (same tenant, already enqueued or in the same enqueue)
   * SUCCEEDED: until then the job is PENDING and blocked ({@link Job#links()}). If one ends FAILED
   * or CANCELLED, this job never runs and takes the state {@link #onDependencyFailure} says
   * (CANCELLED by default). At most {@link Limits#MAX_DEPENDENCIES}; cycles are refused. Not
   * together with {@link #withRunAt} or {@link #withDelay}.
   */
  public JobRequest<T> dependsOn(UUID... ids) {
    Objects.requireNonNull(ids, "dependsOn");
    return dependsOn(Arrays.asList(ids));
  }

  /** {@link #dependsOn(UUID...)} with a collection. */
  public JobRequest<T> dependsOn(Collection<UUID> ids) {
    Objects.requireNonNull(ids, "dependsOn");
    List<UUID> list = new ArrayList<>(ids);
    return with(r -> r.dependsOn = Collections.unmodifiableList(list));
  }

  /** What this job becomes when a dependency fails for good (default {@code CANCEL}). */
  public JobRequest<T> onDependencyFailure(DependencyFailure policy) {
    return with(r -> r.onDependencyFailure = Objects.requireNonNull(policy, "onDependencyFailure"));
  }

  /**
   * Adds the job to an existing, still open batch (for instance a job adding children to its own
   * batch: {@code inBatch(ctx.job().links().batchId())}). The batch's cap applies to it.
   */
  public JobRequest<T> inBatch(UUID batchId) {
    return with(r -> r.batchId = Objects.requireNonNull(batchId, "batchId"));
  }

  /** A new time-ordered (version 7) job id, as core generates them, for {@link #withId}. */
  public static UUID newId() {
    return IDS.next();
  }

  private static final dev.keel.queue.internal.JobIds IDS =
      new dev.keel.queue.internal.JobIds(java.time.InstantSource.system());

  /** The id set by {@link #withId}, or null (then core generates one). */
  public UUID id() {
    return id;
  }

  /** The dependencies set by {@link #dependsOn}; empty for none. */
  public List<UUID> dependsOn() {
    return dependsOn;
  }

  /** The policy set by {@link #onDependencyFailure}, or null for the default. */
  public DependencyFailure dependencyFailure() {
    return onDependencyFailure;
  }

  /** The batch set by {@link #inBatch}, or null. */
  public UUID batchId() {
    return batchId;
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
