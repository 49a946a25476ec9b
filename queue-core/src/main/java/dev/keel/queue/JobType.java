package dev.keel.queue;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A job type's handler and its defaults: payload class, max attempts (applied at enqueue when the
 * request sets none), timeout (when the job sets none) and retry policy.
 *
 * <pre>{@code
 * JobType.of("email.send", Email.class, ctx -> { mailer.send(ctx.payload()); return JobOutcome.success(); })
 *     .withMaxAttempts(5)
 *     .withTimeout(Duration.ofSeconds(30));
 * }</pre>
 *
 * @param <T> the payload type
 */
public record JobType<T>(
    String name,
    Class<T> payloadType,
    JobHandler<T> handler,
    Integer maxAttempts,
    Duration timeout,
    RetryPolicy retryPolicy,
    ConcurrencyRule<T> concurrency) {

  /** Default max attempts when neither the request nor the type sets one. */
  public static final int DEFAULT_MAX_ATTEMPTS = 20;

  public JobType {
    if (name == null || !name.matches(Limits.NAME_PATTERN)) {
      throw new KeelConfigurationException(
          "JobType.name must match " + Limits.NAME_PATTERN + ", was '" + name + "'");
    }
    Objects.requireNonNull(payloadType, "payloadType");
    Objects.requireNonNull(handler, "handler");
    if (maxAttempts != null
        && (maxAttempts < Limits.MIN_MAX_ATTEMPTS || maxAttempts > Limits.MAX_MAX_ATTEMPTS)) {
      throw new KeelConfigurationException(
          "JobType.maxAttempts must be between 1 and "
              + Limits.MAX_MAX_ATTEMPTS
              + ", was "
              + maxAttempts);
    }
    if (timeout != null
        && (timeout.isNegative()
            || timeout.isZero()
            || timeout.compareTo(Limits.MAX_TIMEOUT) > 0)) {
      throw new KeelConfigurationException(
          "JobType.timeout must be positive and at most "
              + Limits.MAX_TIMEOUT
              + ", was "
              + timeout);
    }
    retryPolicy = retryPolicy == null ? RetryPolicy.defaultPolicy() : retryPolicy;
  }

  /** A type without a concurrency rule. */
  public JobType(
      String name,
      Class<T> payloadType,
      JobHandler<T> handler,
      Integer maxAttempts,
      Duration timeout,
      RetryPolicy retryPolicy) {
    this(name, payloadType, handler, maxAttempts, timeout, retryPolicy, null);
  }

  public static <T> JobType<T> of(String name, Class<T> payloadType, JobHandler<T> handler) {
    return new JobType<>(name, payloadType, handler, null, null, null);
  }

  public JobType<T> withMaxAttempts(int maxAttempts) {
    return new JobType<>(
        name, payloadType, handler, maxAttempts, timeout, retryPolicy, concurrency);
  }

  public JobType<T> withTimeout(Duration timeout) {
    return new JobType<>(
        name, payloadType, handler, maxAttempts, timeout, retryPolicy, concurrency);
  }

  /**
   * At most {@code limit} jobs of this type with the same key RUNNING at once, cluster-wide; the
   * key of each job is {@code key} applied to its payload at enqueue (null or blank: no limit for
   * that job). A request's own {@link JobRequest#withConcurrency} wins. Enforced in the claim: a
   * job whose key is full waits as PENDING without using an attempt.
   *
   * <pre>{@code
   * JobType.of("mailbox.sync", Sync.class, handler)
   *     .withConcurrency(sync -> "mailbox:" + sync.mailboxId(), 1);
   * }</pre>
   */
  public JobType<T> withConcurrency(Function<? super T, String> key, int limit) {
    return new JobType<>(
        name,
        payloadType,
        handler,
        maxAttempts,
        timeout,
        retryPolicy,
        new ConcurrencyRule<>(key, limit));
  }

  public JobType<T> withRetryPolicy(RetryPolicy retryPolicy) {
    return new JobType<>(
        name, payloadType, handler, maxAttempts, timeout, retryPolicy, concurrency);
  }
}
