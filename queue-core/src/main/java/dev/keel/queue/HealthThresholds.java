package dev.keel.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * When a {@link HealthSnapshot} is healthy: the backend answers, no more than {@code maxStuck} jobs
 * are stuck, no more than {@code maxFailedLastHour} failed in the last hour, and the oldest due job
 * has waited no longer than {@code maxOldestDueAge}.
 */
public record HealthThresholds(long maxStuck, long maxFailedLastHour, Duration maxOldestDueAge) {

  /** 0 stuck, 100 failed in the last hour, 5 minutes of waiting. */
  public static final HealthThresholds DEFAULT =
      new HealthThresholds(0, 100, Duration.ofMinutes(5));

  public HealthThresholds {
    if (maxStuck < 0) {
      throw new KeelConfigurationException("health.maxStuck must be ≥ 0, was " + maxStuck);
    }
    if (maxFailedLastHour < 0) {
      throw new KeelConfigurationException(
          "health.maxFailedLastHour must be ≥ 0, was " + maxFailedLastHour);
    }
    Objects.requireNonNull(maxOldestDueAge, "maxOldestDueAge");
    if (maxOldestDueAge.isNegative()) {
      throw new KeelConfigurationException("health.maxOldestDueAge must not be negative");
    }
  }
}
