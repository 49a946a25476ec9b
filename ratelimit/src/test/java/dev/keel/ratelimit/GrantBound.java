package dev.keel.ratelimit;

import static org.assertj.core.api.Assertions.fail;

import java.math.BigInteger;
import java.util.List;

/**
 * The rate-limit guarantee as a check: for every run of consecutive grants on one key, the permits
 * granted do not exceed {@code capacity + refillTokens × elapsed / period}, where {@code elapsed}
 * is an upper bound of the time between the first and the last grant of the run.
 */
final class GrantBound {
  private GrantBound() {}

  /** One granted call: it happened at some instant in {@code [earliestMicros, latestMicros]}. */
  record Grant(long earliestMicros, long latestMicros, int permits) {}

  static void check(Limit limit, List<Grant> grants, String context) {
    BigInteger period = BigInteger.valueOf(limit.refillPeriodMicros());
    BigInteger capacityUnits = BigInteger.valueOf(limit.capacity()).multiply(period);
    BigInteger refill = BigInteger.valueOf(limit.refillTokens());
    for (int i = 0; i < grants.size(); i++) {
      long sum = 0;
      for (int j = i; j < grants.size(); j++) {
        sum += grants.get(j).permits();
        long elapsed = Math.max(0, grants.get(j).latestMicros() - grants.get(i).earliestMicros());
        BigInteger allowedUnits = capacityUnits.add(refill.multiply(BigInteger.valueOf(elapsed)));
        if (BigInteger.valueOf(sum).multiply(period).compareTo(allowedUnits) > 0) {
          fail(
              "%s: %d permits granted within %d µs (grants %d..%d), but %s allows at most"
                  + " capacity + rate × interval",
              context, sum, elapsed, i, j, limit);
        }
      }
    }
  }
}
