package dev.keel.queue;

import java.time.Duration;
import java.util.Objects;

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
    RetryPolicy retryPolicy) {

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

  public static <T> JobType<T> of(String name, Class<T> payloadType, JobHandler<T> handler) {
    return new JobType<>(name, payloadType, handler, null, null, null);
  }

  public JobType<T> withMaxAttempts(int maxAttempts) {
    return new JobType<>(name, payloadType, handler, maxAttempts, timeout, retryPolicy);
  }

  public JobType<T> withTimeout(Duration timeout) {
    return new JobType<>(name, payloadType, handler, maxAttempts, timeout, retryPolicy);
  }

  public JobType<T> withRetryPolicy(RetryPolicy retryPolicy) {
    return new JobType<>(name, payloadType, handler, maxAttempts, timeout, retryPolicy);
  }
}
