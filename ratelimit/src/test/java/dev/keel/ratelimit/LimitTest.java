package dev.keel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitTest {

  @Test
  void perMinuteIsCapacityAndRefillOverOneMinute() {
    Limit limit = Limit.perMinute(5);

    assertThat(limit.capacity()).isEqualTo(5);
    assertThat(limit.refillTokens()).isEqualTo(5);
    assertThat(limit.refillPeriod()).isEqualTo(Duration.ofMinutes(1));
    assertThat(limit.timeToFill()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void withBurstChangesOnlyTheCapacity() {
    Limit limit = Limit.perSecond(10).withBurst(20);

    assertThat(limit).isEqualTo(new Limit(20, 10, Duration.ofSeconds(1)));
    assertThat(limit.timeToFill()).isEqualTo(Duration.ofSeconds(2));
    assertThat(Limit.perHour(3)).isEqualTo(new Limit(3, 3, Duration.ofHours(1)));
  }

  @Test
  void dividedAmongNodesKeepsTheRateExact() {
    assertThat(Limit.perSecond(100).dividedAmong(4))
        .isEqualTo(new Limit(25, 25, Duration.ofSeconds(1)));
    // 10 per second among 3 nodes: 10 per 3 seconds each, capacity rounded down
    assertThat(Limit.perSecond(10).dividedAmong(3))
        .isEqualTo(new Limit(3, 10, Duration.ofSeconds(3)));
    assertThat(Limit.perMinute(5).dividedAmong(10).capacity()).isEqualTo(1);
  }

  @Test
  void invalidValuesAreRejectedNamingTheField() {
    assertField(() -> Limit.perMinute(0), "tokens");
    assertField(() -> Limit.perSecond(-1), "tokens");
    assertField(() -> Limit.perSecond(Limit.MAX_TOKENS + 1), "tokens");
    assertField(() -> Limit.perSecond(10).withBurst(0), "burst");
    assertField(() -> new Limit(0, 1, Duration.ofSeconds(1)), "capacity");
    assertField(() -> new Limit(1, 0, Duration.ofSeconds(1)), "refillTokens");
    assertField(() -> new Limit(1, 1, null), "refillPeriod");
    assertField(() -> new Limit(1, 1, Duration.ZERO), "refillPeriod");
    assertField(() -> new Limit(1, 1, Duration.ofSeconds(-1)), "refillPeriod");
    assertField(() -> new Limit(1, 1, Duration.ofNanos(1_500)), "refillPeriod");
    assertField(() -> new Limit(1, 1, Duration.ofSeconds(Long.MAX_VALUE)), "refillPeriod");
    assertField(() -> new Limit(1_000_000, 1, Duration.ofDays(365)), "capacity");
    assertField(() -> Limit.perSecond(1).dividedAmong(0), "nodes");
  }

  @Test
  void theLargestExactLimitIsAccepted() {
    long periodMicros = 1L << 23;
    Limit limit = new Limit(1L << 29, 1, Duration.ofNanos(periodMicros * 1_000));

    assertThat(limit.capacity() * limit.refillPeriodMicros()).isEqualTo(Limit.MAX_UNITS);
  }

  @Test
  void messagesSayTheRuleAndTheValue() {
    assertThatThrownBy(() -> new Limit(0, 1, Duration.ofSeconds(1)))
        .hasMessage("capacity must be between 1 and 1000000000, was 0");
  }

  private static void assertField(Runnable call, String field) {
    assertThatThrownBy(call::run)
        .isInstanceOf(RateLimitException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(((RateLimitException) e).field()).isEqualTo(field))
        .hasMessageStartingWith(field + " ");
  }
}
