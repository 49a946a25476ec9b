package dev.keel.queue.redis.internal;

import java.time.Duration;
import java.time.Instant;

/** Times and durations as whole microseconds, the unit the scripts store (Redis TIME's unit). */
public final class Micros {
  private Micros() {}

  /** Saturates at about ±73,000 years, far outside any time a job can mean. */
  public static long of(Instant instant) {
    try {
      return Math.addExact(
          Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    } catch (ArithmeticException e) {
      return instant.getEpochSecond() < 0 ? -Long.MAX_VALUE / 4 : Long.MAX_VALUE / 4;
    }
  }

  /** Saturates instead of overflowing: a delay of centuries is still "far away". */
  public static long of(Duration duration) {
    try {
      return Math.addExact(
          Math.multiplyExact(duration.getSeconds(), 1_000_000L), duration.getNano() / 1_000);
    } catch (ArithmeticException e) {
      return duration.isNegative() ? -Long.MAX_VALUE / 4 : Long.MAX_VALUE / 4;
    }
  }

  public static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  public static Instant toInstant(String micros) {
    return micros == null ? null : toInstant(Long.parseLong(micros));
  }
}
