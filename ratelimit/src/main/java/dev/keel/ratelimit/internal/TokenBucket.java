package dev.keel.ratelimit.internal;

import dev.keel.ratelimit.Decision;
import dev.keel.ratelimit.Limit;

/**
 * The token-bucket arithmetic for one {@link Limit}, in integers: a token is {@code periodMicros}
 * units and every microsecond adds {@code refillTokens} units, so a refill over any number of
 * microseconds is exact and waits are exact to the microsecond. {@code token_bucket.lua} is the
 * same algorithm for Redis; keep them in step.
 */
public final class TokenBucket {
  private final long periodMicros;
  private final long refillTokens;
  private final long full;

  /** The arithmetic for {@code limit}. */
  public TokenBucket(Limit limit) {
    this.periodMicros = limit.refillPeriodMicros();
    this.refillTokens = limit.refillTokens();
    this.full = limit.capacity() * periodMicros;
  }

  /** A decision and the bucket state to store after it. */
  public record Outcome(BucketState next, Decision decision) {}

  /** A bucket first seen (or expired) at {@code now}: full. */
  public BucketState fresh(long now) {
    return new BucketState(full, now);
  }

  /**
   * Takes {@code permits} at {@code now} from {@code state} ({@code null} means a fresh bucket). A
   * denial returns {@code state} unchanged: refill is linear and capped, so recomputing it later
   * from the older state gives the same level.
   */
  public Outcome take(BucketState state, long now, int permits) {
    BucketState current = refill(state == null ? fresh(now) : state, now);
    long need = permits * periodMicros;
    if (current.level() >= need) {
      long left = current.level() - need;
      return new Outcome(
          new BucketState(left, current.lastMicros()), Decision.allow(left / periodMicros));
    }
    long waitMicros = Micros.ceilDiv(need - current.level(), refillTokens);
    return new Outcome(
        state == null ? current : state,
        Decision.deny(current.level() / periodMicros, Micros.toDuration(waitMicros)));
  }

  /** The instant (µs) from which {@code state} is full again and may be forgotten. */
  public long fullAt(BucketState state) {
    return state.lastMicros() + Micros.ceilDiv(full - Math.min(state.level(), full), refillTokens);
  }

  /**
   * Adds the tokens that arrived between {@code state.lastMicros} and {@code now}. A clock that
   * went backwards adds nothing and keeps the later instant, so a step back never refills twice.
   */
  BucketState refill(BucketState state, long now) {
    long level = Math.min(state.level(), full);
    if (now <= state.lastMicros()) {
      return level == state.level() ? state : new BucketState(level, state.lastMicros());
    }
    long missing = full - level;
    long elapsed = now - state.lastMicros();
    // Compare before multiplying: elapsed × refillTokens could overflow after a long idle time.
    if (elapsed >= Micros.ceilDiv(missing, refillTokens)) {
      return new BucketState(full, now);
    }
    return new BucketState(level + elapsed * refillTokens, now);
  }
}
