package dev.keel.queue;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * delay(n) = min(cap, base × factor^(n−1)) × (1 + jitter × u), u uniform in [−1, 1), and never
 * above {@code cap}. So with the defaults the delay after attempt n lies in [0.75, 1.25] × the
 * nominal delay, capped at one hour.
 *
 * @param random source of uniform doubles in [0, 1); injectable for tests
 */
public record ExponentialBackoff(
    Duration base, double factor, Duration cap, double jitter, DoubleSupplier random)
    implements RetryPolicy {

  static final ExponentialBackoff DEFAULT =
      new ExponentialBackoff(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), 0.25, null);

  public ExponentialBackoff {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    if (base.isNegative() || base.isZero()) {
      throw new KeelConfigurationException("retry.base must be positive, was " + base);
    }
    if (cap.compareTo(base) < 0) {
      throw new KeelConfigurationException(
          "retry.cap must be at least base (" + base + "), was " + cap);
    }
    if (!(factor >= 1.0) || Double.isInfinite(factor)) {
      throw new KeelConfigurationException(
          "retry.factor must be a finite number ≥ 1, was " + factor);
    }
    if (!(jitter >= 0.0 && jitter < 1.0)) {
      throw new KeelConfigurationException("retry.jitter must be in [0, 1), was " + jitter);
    }
    if (random == null) {
      random = () -> ThreadLocalRandom.current().nextDouble();
    }
  }

  public static ExponentialBackoff of(Duration base, double factor, Duration cap, double jitter) {
    return new ExponentialBackoff(base, factor, cap, jitter, null);
  }

  /** The delay before jitter. */
  public Duration nominalDelay(int failedAttempt) {
    if (failedAttempt < 1) {
      throw new IllegalArgumentException("failedAttempt must be ≥ 1, was " + failedAttempt);
    }
    double nanos = base.toNanos() * Math.pow(factor, failedAttempt - 1);
    double capNanos = cap.toNanos();
    return Duration.ofNanos((long) Math.min(nanos, capNanos));
  }

  @Override
  public Duration delayAfter(int failedAttempt) {
    double nominal = nominalDelay(failedAttempt).toNanos();
    double u = random.getAsDouble() * 2.0 - 1.0;
    double jittered = nominal * (1.0 + jitter * u);
    return Duration.ofNanos((long) Math.max(0, Math.min(jittered, cap.toNanos())));
  }
}
