package dev.keel.ratelimit;

import dev.keel.queue.Job;
import dev.keel.queue.JobThrottle;
import dev.keel.queue.KeelConfigurationException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Rate limits per job type for Keel's workers: plug it in with {@code
 * Keel.builder().throttle(limits)}. Before a claimed job runs, one permit is taken from its type's
 * limiter; when none is left the job goes back to PENDING until the exact time a permit will be
 * there, without using an attempt. With a {@link RedisRateLimiter} (or a {@link
 * FallbackRateLimiter} over one) the limit is shared by every worker of the cluster.
 *
 * <pre>{@code
 * RateLimiter sms = FallbackRateLimiter.builder(RedisRateLimiter.builder(jedis, Limit.perSecond(5)).build())
 *     .policy(FallbackPolicy.LOCAL_SHARE).expectedNodes(2).build();
 * Keel keel = Keel.builder()...throttle(JobTypeLimits.builder().limit("sms.send", sms).build()).build();
 * }</pre>
 *
 * <p>Needs {@code dev.keel:queue-core} on the classpath (an optional dependency of this module).
 */
public final class JobTypeLimits implements JobThrottle {
  private record TypeLimit(RateLimiter limiter, boolean perTenant) {}

  private final Map<String, TypeLimit> limits;

  private JobTypeLimits(Map<String, TypeLimit> limits) {
    this.limits = Map.copyOf(limits);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Duration delayFor(Job job) {
    TypeLimit limit = limits.get(job.type());
    if (limit == null) {
      return Duration.ZERO;
    }
    String key = "job:" + job.type() + (limit.perTenant() ? "|" + job.tenant() : "");
    Decision d = limit.limiter().tryAcquire(key, 1);
    return d.allowed() ? Duration.ZERO : d.waitTime();
  }

  /** Declares limits; each type once. */
  public static final class Builder {
    private final Map<String, TypeLimit> limits = new LinkedHashMap<>();

    private Builder() {}

    /** At most the limiter's rate of jobs of {@code type}, across every worker sharing it. */
    public Builder limit(String type, RateLimiter limiter) {
      return put(type, limiter, false);
    }

    /** The limiter's rate per tenant: each tenant's jobs of {@code type} get their own bucket. */
    public Builder limitPerTenant(String type, RateLimiter limiter) {
      return put(type, limiter, true);
    }

    private Builder put(String type, RateLimiter limiter, boolean perTenant) {
      if (type == null || type.isBlank()) {
        throw new KeelConfigurationException("JobTypeLimits type must not be blank");
      }
      Objects.requireNonNull(limiter, "limiter");
      if (limits.containsKey(type)) {
        throw new KeelConfigurationException(
            "JobTypeLimits for type '" + type + "' was already set");
      }
      limits.put(type, new TypeLimit(limiter, perTenant));
      return this;
    }

    public JobTypeLimits build() {
      return new JobTypeLimits(limits);
    }
  }
}
