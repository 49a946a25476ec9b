package dev.keel.ratelimit.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;

/** Time as whole microseconds, the unit of every bucket computation. */
public final class Micros {
  private Micros() {}

  /** The clock's instant in microseconds since the epoch (truncated). */
  public static long now(InstantSource clock) {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** A duration of {@code micros} microseconds. */
  public static Duration toDuration(long micros) {
    return Duration.of(micros, ChronoUnit.MICROS);
  }

  /**
   * A duration in microseconds, rounded up so that a wait is never shortened; saturates at {@code
   * Long.MAX_VALUE}.
   */
  public static long ceilOf(Duration duration) {
    try {
      long whole = Math.multiplyExact(duration.getSeconds(), 1_000_000L);
      return Math.addExact(whole, (duration.getNano() + 999) / 1_000);
    } catch (ArithmeticException e) {
      // Durations beyond ~292,000 years only occur as "wait forever" timeouts.
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** {@code ceil(a / b)} for {@code a >= 0, b > 0}, without overflow for {@code a, b < 2^62}. */
  public static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }
}
