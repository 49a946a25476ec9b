package dev.keel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of seeded random schedules against a manual clock. Every decision must equal a reference
 * model written independently in big rationals, and the grants must respect the bound over every
 * interval.
 */
class LocalRateLimiterPropertyTest {
  private static final int SCHEDULES = 500;
  private static final int CALLS = 200;

  @Test
  void everyDecisionMatchesTheModelAndGrantsNeverExceedCapacityPlusRateTimesInterval() {
    for (int schedule = 0; schedule < SCHEDULES; schedule++) {
      long seed = 0x5EED_0000L + schedule;
      runSchedule(new Random(seed), "schedule seed " + seed);
    }
  }

  private static void runSchedule(Random random, String context) {
    Limit limit = randomLimit(random);
    ManualClock clock = new ManualClock(1_700_000_000_000_000L + random.nextInt(1_000_000));
    LocalRateLimiter limiter = LocalRateLimiter.builder(limit).clock(clock).build();
    String[] keys = {"a", "b", "c"};
    int keyCount = 1 + random.nextInt(keys.length);
    Map<String, Model> models = new HashMap<>();
    Map<String, List<GrantBound.Grant>> grants = new HashMap<>();
    long fill = limit.timeToFill().toNanos() / 1_000;

    for (int call = 0; call < CALLS; call++) {
      clock.advanceMicros(randomStep(random, fill, limit.refillPeriodMicros()));
      String key = keys[random.nextInt(keyCount)];
      int permits = randomPermits(random, limit);
      long now = clock.micros();

      Decision actual = limiter.tryAcquire(key, permits);
      Decision expected =
          models.computeIfAbsent(key, k -> new Model(limit, now)).take(now, permits);

      assertThat(actual)
          .as("%s, call %d, %s, key %s, %d permits", context, call, limit, key, permits)
          .isEqualTo(expected);
      if (actual.allowed()) {
        grants
            .computeIfAbsent(key, k -> new ArrayList<>())
            .add(new GrantBound.Grant(now, now, permits));
      }
    }
    grants.forEach((key, list) -> GrantBound.check(limit, list, context + ", key " + key));
  }

  private static Limit randomLimit(Random random) {
    long capacity = 1 + random.nextInt(random.nextBoolean() ? 5 : 60);
    long refill = 1 + random.nextInt(random.nextBoolean() ? 3 : 25);
    Duration period =
        switch (random.nextInt(5)) {
          case 0 -> Duration.ofSeconds(1);
          case 1 -> Duration.ofMinutes(1);
          case 2 -> Duration.ofNanos(1_000L * (1 + random.nextInt(50)));
          case 3 -> Duration.ofMillis(1 + random.nextInt(1_000));
          default -> Duration.ofNanos(1_000L * (1 + random.nextInt(10_000_000)));
        };
    return new Limit(capacity, refill, period);
  }

  /** Mostly short steps (many calls at the same instant), sometimes long idle gaps. */
  private static long randomStep(Random random, long fillMicros, long periodMicros) {
    return switch (random.nextInt(6)) {
      case 0, 1 -> 0;
      case 2 -> 1 + random.nextInt(3);
      case 3 -> (long) (random.nextDouble() * periodMicros);
      case 4 -> (long) (random.nextDouble() * fillMicros);
      default -> (long) (random.nextDouble() * 3 * fillMicros);
    };
  }

  private static int randomPermits(Random random, Limit limit) {
    int max = (int) limit.capacity();
    return random.nextInt(4) == 0 ? 1 + random.nextInt(max) : 1 + random.nextInt(Math.min(3, max));
  }

  /** A token bucket in exact rationals: tokens = num / den, den = the period in µs. */
  private static final class Model {
    private final BigInteger capacity;
    private final BigInteger refill;
    private final BigInteger period;
    private BigInteger num; // tokens × period
    private long last;

    Model(Limit limit, long now) {
      this.capacity = BigInteger.valueOf(limit.capacity());
      this.refill = BigInteger.valueOf(limit.refillTokens());
      this.period = BigInteger.valueOf(limit.refillPeriodMicros());
      this.num = capacity.multiply(period);
      this.last = now;
    }

    Decision take(long now, int permits) {
      if (now > last) {
        num =
            num.add(refill.multiply(BigInteger.valueOf(now - last))).min(capacity.multiply(period));
        last = now;
      }
      BigInteger need = BigInteger.valueOf(permits).multiply(period);
      if (num.compareTo(need) >= 0) {
        num = num.subtract(need);
        return Decision.allow(num.divide(period).longValueExact());
      }
      // smallest whole µs w with num + w × refill >= need
      BigInteger[] qr = need.subtract(num).divideAndRemainder(refill);
      long wait = qr[0].longValueExact() + (qr[1].signum() == 0 ? 0 : 1);
      return Decision.deny(num.divide(period).longValueExact(), Duration.ofNanos(wait * 1_000));
    }
  }
}
