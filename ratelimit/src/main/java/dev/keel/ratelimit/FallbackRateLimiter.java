package dev.keel.ratelimit;

import dev.keel.ratelimit.internal.Arguments;
import dev.keel.ratelimit.internal.BlockingAcquire;
import dev.keel.ratelimit.internal.Circuit;
import java.time.Duration;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary limiter (normally {@link RedisRateLimiter}) with an explicit {@link FallbackPolicy} for
 * when it is unavailable.
 *
 * <p>The first {@link RateLimiterUnavailableException} opens a circuit and is logged once at WARN
 * with its stack trace. While the circuit is open no call goes to the primary, so no caller waits
 * out a connection or socket timeout; every decision comes from the policy. After the cool-down a
 * single caller probes the primary (the others keep using the policy); if it answers, the circuit
 * closes and the recovery is logged once at INFO, otherwise it stays open for another cool-down.
 *
 * <pre>{@code
 * RateLimiter limiter = FallbackRateLimiter.builder(redisLimiter)
 *     .policy(FallbackPolicy.LOCAL_SHARE)
 *     .expectedNodes(4)                  // local share = the limit divided among 4 nodes
 *     .coolDown(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 *
 * <p>Bad input ({@link RateLimitException}) is checked before the primary is called and never
 * counts as a failure. Other exceptions from the primary propagate.
 */
public final class FallbackRateLimiter implements RateLimiter {
  /** The shortest wait a FAIL_CLOSED denial announces, so acquire does not spin during a probe. */
  private static final Duration MIN_CLOSED_WAIT = Duration.ofMillis(10);

  private final RateLimiter primary;
  private final FallbackPolicy policy;
  private final LocalRateLimiter localShare;
  private final Duration coolDown;
  private final Circuit circuit;
  private final BlockingAcquire blocking;
  private final Logger log;

  private FallbackRateLimiter(Builder builder) {
    this.primary = builder.primary;
    this.policy = builder.policy;
    this.coolDown = builder.coolDown == null ? Builder.DEFAULT_COOL_DOWN : builder.coolDown;
    InstantSource clock = builder.clock == null ? InstantSource.system() : builder.clock;
    Sleeper sleeper = builder.sleeper == null ? Sleeper.system() : builder.sleeper;
    this.localShare =
        policy == FallbackPolicy.LOCAL_SHARE
            ? LocalRateLimiter.builder(builder.shareLimit()).clock(clock).build()
            : null;
    this.circuit = new Circuit(clock, coolDown);
    this.blocking = new BlockingAcquire(clock, sleeper);
    this.log =
        builder.log == null ? LoggerFactory.getLogger(FallbackRateLimiter.class) : builder.log;
  }

  /** A builder around {@code primary}. */
  public static Builder builder(RateLimiter primary) {
    return new Builder(Arguments.required("primary", primary));
  }

  @Override
  public Decision tryAcquire(String key, int permits) {
    Arguments.check(key, permits, primary.limit());
    Circuit.Permission permission = circuit.permission();
    if (permission == Circuit.Permission.FALLBACK) {
      return fallback(key, permits);
    }
    Decision decision;
    try {
      decision = primary.tryAcquire(key, permits);
    } catch (RateLimiterUnavailableException e) {
      if (circuit.failed(permission)) {
        log.warn(
            "Rate limiter {} is unavailable; deciding with {} and trying it again every {} until it"
                + " answers",
            primary,
            policy,
            coolDown,
            e);
      } else {
        log.debug("Rate limiter {} still unavailable; deciding with {}", primary, policy, e);
      }
      return fallback(key, permits);
    } catch (RuntimeException e) {
      // Not an outage (a bug or a broken reply): do not leave a probe hanging, and let it surface.
      circuit.failed(permission);
      throw e;
    }
    if (circuit.succeeded(permission)) {
      log.info("Rate limiter {} answers again; no longer deciding with {}", primary, policy);
    }
    return decision;
  }

  @Override
  public boolean acquire(String key, int permits, Duration timeout) throws InterruptedException {
    return blocking.acquire(this, key, permits, timeout);
  }

  @Override
  public Limit limit() {
    return primary.limit();
  }

  /** True while decisions come from the fallback policy (the circuit is open or probing). */
  public boolean isFallingBack() {
    return circuit.isOpen();
  }

  /** The policy used while the primary is unavailable. */
  public FallbackPolicy policy() {
    return policy;
  }

  @Override
  public String toString() {
    return "FallbackRateLimiter[" + primary + ", " + policy + "]";
  }

  private Decision fallback(String key, int permits) {
    switch (policy) {
      case FAIL_OPEN:
        return Decision.allow(primary.limit().capacity() - permits);
      case FAIL_CLOSED:
        return Decision.deny(0, closedWait());
      case LOCAL_SHARE:
        if (permits > localShare.limit().capacity()) {
          // The share is smaller than this request; only the primary can grant it.
          return Decision.deny(0, closedWait());
        }
        return localShare.tryAcquire(key, permits);
      default:
        throw new IllegalStateException("unknown policy " + policy);
    }
  }

  private Duration closedWait() {
    Duration untilProbe = circuit.untilProbe();
    return untilProbe.compareTo(MIN_CLOSED_WAIT) < 0 ? MIN_CLOSED_WAIT : untilProbe;
  }

  /** Options of a {@link FallbackRateLimiter}; each may be set once, the policy is required. */
  public static final class Builder {
    static final Duration DEFAULT_COOL_DOWN = Duration.ofSeconds(5);

    private final RateLimiter primary;
    private FallbackPolicy policy;
    private Limit localShare;
    private Integer expectedNodes;
    private Duration coolDown;
    private InstantSource clock;
    private Sleeper sleeper;
    private Logger log;

    private Builder(RateLimiter primary) {
      this.primary = primary;
    }

    /** What to decide while the primary is unavailable. Required. */
    public Builder policy(FallbackPolicy policy) {
      Arguments.notYetSet("policy", this.policy);
      this.policy = Arguments.required("policy", policy);
      return this;
    }

    /**
     * For {@link FallbackPolicy#LOCAL_SHARE}: this node's local limit, given explicitly. Set this
     * or {@link #expectedNodes}, not both.
     */
    public Builder localShare(Limit localShare) {
      Arguments.notYetSet("localShare", this.localShare);
      if (expectedNodes != null) {
        throw new RateLimitException("localShare", "cannot be set with expectedNodes");
      }
      this.localShare = Arguments.required("localShare", localShare);
      return this;
    }

    /**
     * For {@link FallbackPolicy#LOCAL_SHARE}: the local limit is the primary's limit divided among
     * this many nodes ({@link Limit#dividedAmong}).
     */
    public Builder expectedNodes(int expectedNodes) {
      Arguments.notYetSet("expectedNodes", this.expectedNodes);
      if (localShare != null) {
        throw new RateLimitException("expectedNodes", "cannot be set with localShare");
      }
      if (expectedNodes < 1) {
        throw new RateLimitException("expectedNodes", "must be at least 1, was " + expectedNodes);
      }
      this.expectedNodes = expectedNodes;
      return this;
    }

    /** How long to stay on the fallback before probing the primary again; default 5 s. */
    public Builder coolDown(Duration coolDown) {
      Arguments.notYetSet("coolDown", this.coolDown);
      Arguments.required("coolDown", coolDown);
      if (coolDown.isNegative() || coolDown.isZero()) {
        throw new RateLimitException("coolDown", "must be positive, was " + coolDown);
      }
      this.coolDown = coolDown;
      return this;
    }

    /** The clock of the circuit (and of the local share); default the system clock. */
    public Builder clock(InstantSource clock) {
      Arguments.notYetSet("clock", this.clock);
      this.clock = Arguments.required("clock", clock);
      return this;
    }

    /** How {@link #acquire} waits; default a real sleep. */
    public Builder sleeper(Sleeper sleeper) {
      Arguments.notYetSet("sleeper", this.sleeper);
      this.sleeper = Arguments.required("sleeper", sleeper);
      return this;
    }

    /** Where the outage and recovery lines go; tests use it to count them. */
    Builder logger(Logger log) {
      this.log = Arguments.required("logger", log);
      return this;
    }

    /**
     * Builds the limiter.
     *
     * @throws RateLimitException if no policy is set, LOCAL_SHARE has no share, or another policy
     *     has one
     */
    public FallbackRateLimiter build() {
      if (policy == null) {
        throw new RateLimitException(
            "policy", "must be set: FAIL_OPEN, FAIL_CLOSED or LOCAL_SHARE (no silent default)");
      }
      boolean hasShare = localShare != null || expectedNodes != null;
      if (policy == FallbackPolicy.LOCAL_SHARE && !hasShare) {
        throw new RateLimitException("localShare", "or expectedNodes must be set for LOCAL_SHARE");
      }
      if (policy != FallbackPolicy.LOCAL_SHARE && hasShare) {
        throw new RateLimitException(
            "localShare", "and expectedNodes only apply to LOCAL_SHARE, policy is " + policy);
      }
      return new FallbackRateLimiter(this);
    }

    private Limit shareLimit() {
      return localShare != null ? localShare : primary.limit().dividedAmong(expectedNodes);
    }
  }
}
