package dev.keel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {
  private final ManualClock clock = new ManualClock();

  private LocalRateLimiter limiter(Limit limit) {
    return LocalRateLimiter.builder(limit).clock(clock).sleeper(clock.sleeper()).build();
  }

  @Test
  void aNewKeyHasAFullBucket() {
    LocalRateLimiter limiter = limiter(Limit.perMinute(5));

    for (int left = 4; left >= 0; left--) {
      assertThat(limiter.tryAcquire("ann", 1)).isEqualTo(Decision.allow(left));
    }
  }

  @Test
  void aDenialSaysTheExactWaitAndConsumesNothing() {
    LocalRateLimiter limiter = limiter(Limit.perMinute(5));
    limiter.tryAcquire("ann", 5);

    assertThat(limiter.tryAcquire("ann", 1)).isEqualTo(Decision.deny(0, Duration.ofSeconds(12)));
    clock.advance(Duration.ofSeconds(5));
    assertThat(limiter.tryAcquire("ann", 2)).isEqualTo(Decision.deny(0, Duration.ofSeconds(19)));
    clock.advance(Duration.ofSeconds(19).minusNanos(1_000));
    assertThat(limiter.tryAcquire("ann", 2).allowed()).isFalse();
    clock.advanceMicros(1);
    assertThat(limiter.tryAcquire("ann", 2)).isEqualTo(Decision.allow(0));
  }

  @Test
  void waitsAreExactForRatesThatDoNotDivideTheSecond() {
    // 3 tokens per second: one every 333,333.33 µs, so the first token after empty needs 333,334 µs
    LocalRateLimiter limiter = limiter(Limit.perSecond(3));
    limiter.tryAcquire("k", 3);

    assertThat(limiter.tryAcquire("k", 1).waitTime()).isEqualTo(Duration.ofNanos(333_334_000));
    clock.advanceMicros(333_333);
    assertThat(limiter.tryAcquire("k", 1).waitTime()).isEqualTo(Duration.ofNanos(1_000));
    clock.advanceMicros(1);
    assertThat(limiter.tryAcquire("k", 1).allowed()).isTrue();
    // three tokens take exactly one second, with no drift from the earlier rounding
    clock.advanceMicros(1_000_000 - 333_334);
    assertThat(limiter.tryAcquire("k", 2)).isEqualTo(Decision.allow(0));
  }

  @Test
  void burstAboveTheRate() {
    LocalRateLimiter limiter = limiter(Limit.perSecond(10).withBurst(20));

    assertThat(limiter.tryAcquire("k", 20)).isEqualTo(Decision.allow(0));
    clock.advance(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire("k", 6)).isEqualTo(Decision.deny(5, Duration.ofMillis(100)));
    clock.advance(Duration.ofSeconds(10));
    assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.allow(19));
  }

  @Test
  void keysHaveSeparateBuckets() {
    LocalRateLimiter limiter = limiter(Limit.perMinute(1));

    assertThat(limiter.tryAcquire("a", 1).allowed()).isTrue();
    assertThat(limiter.tryAcquire("b", 1).allowed()).isTrue();
    assertThat(limiter.tryAcquire("a", 1).allowed()).isFalse();
  }

  @Test
  void invalidInputIsRejectedAndConsumesNothing() {
    LocalRateLimiter limiter = limiter(Limit.perMinute(5));

    assertRejected(() -> limiter.tryAcquire(null, 1), "key");
    assertRejected(() -> limiter.tryAcquire(" ", 1), "key");
    assertRejected(() -> limiter.tryAcquire("x".repeat(RateLimiter.MAX_KEY_LENGTH + 1), 1), "key");
    assertRejected(() -> limiter.tryAcquire("ann", 0), "permits");
    assertRejected(() -> limiter.tryAcquire("ann", -3), "permits");
    assertRejected(() -> limiter.tryAcquire("ann", 6), "permits");
    assertRejected(() -> limiter.acquire("ann", 1, Duration.ofSeconds(-1)), "timeout");
    assertRejected(() -> limiter.acquire("ann", 1, null), "timeout");

    assertThat(limiter.tryAcquire("ann", 5)).isEqualTo(Decision.allow(0));
    assertThat(limiter.tryAcquire("x".repeat(RateLimiter.MAX_KEY_LENGTH), 5).allowed()).isTrue();
  }

  @Test
  void aClockThatGoesBackRefillsNothing() {
    LocalRateLimiter limiter = limiter(Limit.perSecond(1));
    limiter.tryAcquire("k", 1);
    clock.advance(Duration.ofSeconds(-30));

    assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.deny(0, Duration.ofSeconds(1)));
    // back to the original time: still nothing refilled, the step back did not count twice
    clock.advance(Duration.ofSeconds(30));
    assertThat(limiter.tryAcquire("k", 1).allowed()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire("k", 1).allowed()).isTrue();
  }

  @Test
  void idleBucketsAreForgottenOnceTheyWouldBeFull() {
    LocalRateLimiter limiter = limiter(Limit.perSecond(10).withBurst(20));
    limiter.tryAcquire("a", 20);
    limiter.tryAcquire("b", 1);
    assertThat(limiter.trackedKeys()).isEqualTo(2);

    // "b" is full after 100 ms, "a" after 2 s; Caffeine's timer wheel evicts within about a second
    // of that (a lookup never sees an expired bucket, whatever the wheel's granularity).
    clock.advance(Duration.ofMillis(1_999));
    assertThat(limiter.trackedKeys()).isGreaterThanOrEqualTo(1);
    clock.advance(Duration.ofSeconds(3));
    assertThat(limiter.trackedKeys()).isZero();
    assertThat(limiter.tryAcquire("a", 20)).isEqualTo(Decision.allow(0));
  }

  @Test
  void theCacheIsBounded() {
    LocalRateLimiter limiter =
        LocalRateLimiter.builder(Limit.perHour(1)).clock(clock).maximumKeys(100).build();
    for (int i = 0; i < 1_000; i++) {
      limiter.tryAcquire("key-" + i, 1);
    }

    assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(100);
  }

  @Test
  void acquireSleepsTheAnnouncedWait() throws InterruptedException {
    List<Duration> sleeps = new ArrayList<>();
    LocalRateLimiter limiter =
        LocalRateLimiter.builder(Limit.perMinute(5))
            .clock(clock)
            .sleeper(
                d -> {
                  sleeps.add(d);
                  clock.advance(d);
                })
            .build();
    limiter.tryAcquire("k", 5);

    assertThat(limiter.acquire("k", 2, Duration.ofSeconds(24))).isTrue();
    assertThat(sleeps).containsExactly(Duration.ofSeconds(24));
    assertThat(limiter.tryAcquire("k", 1).allowed()).isFalse();
  }

  @Test
  void acquireGivesUpAtOnceWhenTheTokensCannotArriveInTime() throws InterruptedException {
    List<Duration> sleeps = new ArrayList<>();
    LocalRateLimiter limiter =
        LocalRateLimiter.builder(Limit.perMinute(5)).clock(clock).sleeper(sleeps::add).build();
    limiter.tryAcquire("k", 5);

    assertThat(limiter.acquire("k", 1, Duration.ofMillis(11_999))).isFalse();
    assertThat(limiter.acquire("k", 1, Duration.ZERO)).isFalse();
    assertThat(sleeps).isEmpty();
  }

  @Test
  void acquireWithZeroTimeoutGrantsAvailableTokens() throws InterruptedException {
    LocalRateLimiter limiter = limiter(Limit.perMinute(5));

    assertThat(limiter.acquire("k", 5, Duration.ZERO)).isTrue();
  }

  @Test
  void builderOptionsAreSetOnce() {
    LocalRateLimiter.Builder builder = LocalRateLimiter.builder(Limit.perMinute(1)).clock(clock);

    assertRejected(() -> builder.clock(clock), "clock");
    assertRejected(() -> builder.maximumKeys(0), "maximumKeys");
    assertRejected(() -> LocalRateLimiter.builder(null), "limit");
    assertRejected(() -> LocalRateLimiter.builder(Limit.perMinute(1)).sleeper(null), "sleeper");
  }

  interface Call {
    void run() throws Exception;
  }

  static void assertRejected(Call call, String field) {
    assertThatThrownBy(call::run)
        .isInstanceOf(RateLimitException.class)
        .satisfies(e -> assertThat(((RateLimitException) e).field()).isEqualTo(field));
  }
}
