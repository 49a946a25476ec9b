package dev.keel.ratelimit;

import static dev.keel.ratelimit.LocalRateLimiterTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** The circuit and the policies, with a primary that fails on command and a manual clock. */
class FallbackRateLimiterTest {
  private static final Duration COOL_DOWN = Duration.ofSeconds(5);

  private final ManualClock clock = new ManualClock();
  private final RecordingLogger log = new RecordingLogger();
  private final SwitchablePrimary primary =
      new SwitchablePrimary(LocalRateLimiter.builder(Limit.perMinute(60)).clock(clock).build());

  private FallbackRateLimiter.Builder builder(FallbackPolicy policy) {
    return FallbackRateLimiter.builder(primary)
        .policy(policy)
        .coolDown(COOL_DOWN)
        .clock(clock)
        .sleeper(clock.sleeper())
        .logger(log);
  }

  @Test
  void usesThePrimaryWhileItAnswers() {
    FallbackRateLimiter limiter = builder(FallbackPolicy.FAIL_CLOSED).build();

    assertThat(limiter.tryAcquire("k", 60)).isEqualTo(Decision.allow(0));
    assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.deny(0, Duration.ofSeconds(1)));
    assertThat(primary.calls).hasValue(2);
    assertThat(limiter.isFallingBack()).isFalse();
    assertThat(log.lines).isEmpty();
  }

  @Test
  void failOpenGrantsWhilePrimaryIsDown() {
    FallbackRateLimiter limiter = builder(FallbackPolicy.FAIL_OPEN).build();
    primary.down = true;

    for (int i = 0; i < 100; i++) {
      assertThat(limiter.tryAcquire("k", 10)).isEqualTo(Decision.allow(50));
    }
    assertThat(limiter.isFallingBack()).isTrue();
  }

  @Test
  void failClosedDeniesUntilTheNextProbe() {
    FallbackRateLimiter limiter = builder(FallbackPolicy.FAIL_CLOSED).build();
    primary.down = true;

    assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.deny(0, COOL_DOWN));
    clock.advance(Duration.ofSeconds(2));
    Decision denied = limiter.tryAcquire("k", 1);
    assertThat(denied).isEqualTo(Decision.deny(0, Duration.ofSeconds(3)));
    assertThat(RetryAfter.seconds(denied)).isEqualTo(3);
  }

  @Test
  void localShareDecidesWithThisNodesShareOfTheLimit() {
    FallbackRateLimiter limiter = builder(FallbackPolicy.LOCAL_SHARE).expectedNodes(4).build();
    primary.down = true;

    // 60 per minute among 4 nodes: 15 at once, then one every 4 s
    for (int left = 14; left >= 0; left--) {
      assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.allow(left));
    }
    assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.deny(0, Duration.ofSeconds(4)));
    // a request larger than the share can only be granted by the primary
    assertThat(limiter.tryAcquire("big", 16)).isEqualTo(Decision.deny(0, COOL_DOWN));
  }

  @Test
  void anExplicitLocalShare() {
    FallbackRateLimiter limiter =
        builder(FallbackPolicy.LOCAL_SHARE).localShare(Limit.perMinute(2)).build();
    primary.down = true;

    assertThat(limiter.tryAcquire("k", 2).allowed()).isTrue();
    assertThat(limiter.tryAcquire("k", 1).allowed()).isFalse();
  }

  @Test
  void theOpenCircuitSkipsThePrimaryUntilTheCoolDownEnds() {
    FallbackRateLimiter limiter = builder(FallbackPolicy.FAIL_OPEN).build();
    primary.down = true;

    for (int i = 0; i < 50; i++) {
      limiter.tryAcquire("k", 1);
    }
    assertThat(primary.calls).hasValue(1);

    clock.advance(COOL_DOWN.minusNanos(1_000));
    limiter.tryAcquire("k", 1);
    assertThat(primary.calls).hasValue(1);

    clock.advanceMicros(1);
    limiter.tryAcquire("k", 1); // the probe: fails, opens for another cool-down
    limiter.tryAcquire("k", 1);
    assertThat(primary.calls).hasValue(2);
    assertThat(limiter.isFallingBack()).isTrue();
  }

  @Test
  void oneWarnPerOutageWithTheExceptionAndOneInfoOnRecovery() {
    FallbackRateLimiter limiter = builder(FallbackPolicy.FAIL_CLOSED).build();

    for (int outage = 1; outage <= 2; outage++) {
      primary.down = true;
      for (int probe = 0; probe < 3; probe++) {
        for (int i = 0; i < 10; i++) {
          limiter.tryAcquire("k", 1);
        }
        clock.advance(COOL_DOWN);
      }
      assertThat(log.at(Level.WARN)).hasSize(outage);
      RecordingLogger.Line warn = log.at(Level.WARN).get(outage - 1);
      assertThat(warn.message()).contains("SwitchablePrimary", "FAIL_CLOSED", "PT5S");
      assertThat(warn.throwable()).isInstanceOf(RateLimiterUnavailableException.class);

      primary.down = false;
      assertThat(limiter.tryAcquire("k", 1).allowed()).isTrue();
      assertThat(limiter.isFallingBack()).isFalse();
      limiter.tryAcquire("k", 1);
      assertThat(log.at(Level.INFO)).hasSize(outage);
    }
    assertThat(log.at(Level.DEBUG)).isNotEmpty().allMatch(l -> l.throwable() != null);
  }

  @Test
  void onlyOneCallerProbesAndTheOthersKeepUsingTheFallback() throws Exception {
    CountDownLatch probing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RateLimiter slowPrimary =
        new RateLimiter() {
          volatile boolean first = true;

          @Override
          public Decision tryAcquire(String key, int permits) {
            if (first) {
              first = false;
              throw new RateLimiterUnavailableException("down", new RuntimeException("down"));
            }
            probing.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted while holding the probe", e);
            }
            return Decision.allow(7);
          }

          @Override
          public boolean acquire(String key, int permits, Duration timeout) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Limit limit() {
            return Limit.perMinute(60);
          }
        };
    FallbackRateLimiter limiter =
        FallbackRateLimiter.builder(slowPrimary)
            .policy(FallbackPolicy.FAIL_OPEN)
            .coolDown(COOL_DOWN)
            .clock(clock)
            .logger(log)
            .build();
    limiter.tryAcquire("k", 1);
    clock.advance(COOL_DOWN);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Decision> probe = pool.submit(() -> limiter.tryAcquire("k", 1));
      assertThat(probing.await(10, TimeUnit.SECONDS)).isTrue();

      List<Decision> others = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        others.add(limiter.tryAcquire("k", 1));
      }
      assertThat(others).containsOnly(Decision.allow(59));

      release.countDown();
      assertThat(probe.get(10, TimeUnit.SECONDS)).isEqualTo(Decision.allow(7));
      assertThat(limiter.isFallingBack()).isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badInputNeverReachesThePrimaryNorOpensTheCircuit() {
    FallbackRateLimiter limiter = builder(FallbackPolicy.FAIL_OPEN).build();
    primary.down = true;

    assertRejected(() -> limiter.tryAcquire("", 1), "key");
    assertRejected(() -> limiter.tryAcquire("k", 61), "permits");
    assertThat(primary.calls).hasValue(0);
    assertThat(limiter.isFallingBack()).isFalse();
  }

  @Test
  void anUnexpectedErrorOfTheProbePropagatesAndDoesNotWedgeTheCircuit() {
    RateLimiter failing =
        new RateLimiter() {
          int calls;

          @Override
          public Decision tryAcquire(String key, int permits) {
            calls++;
            if (calls == 1) {
              throw new RateLimiterUnavailableException("down", new RuntimeException("down"));
            }
            if (calls == 2) {
              throw new IllegalStateException("bug in the primary");
            }
            return Decision.allow(1);
          }

          @Override
          public boolean acquire(String key, int permits, Duration timeout) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Limit limit() {
            return Limit.perMinute(5);
          }
        };
    FallbackRateLimiter limiter =
        FallbackRateLimiter.builder(failing)
            .policy(FallbackPolicy.FAIL_CLOSED)
            .coolDown(COOL_DOWN)
            .clock(clock)
            .logger(log)
            .build();
    limiter.tryAcquire("k", 1);
    clock.advance(COOL_DOWN);

    assertThatThrownBy(() -> limiter.tryAcquire("k", 1)).hasMessage("bug in the primary");
    clock.advance(COOL_DOWN);
    assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.allow(1));
  }

  @Test
  void acquireUnderFailClosedWaitsForTheProbe() throws InterruptedException {
    FallbackRateLimiter limiter = builder(FallbackPolicy.FAIL_CLOSED).build();
    primary.down = true;
    limiter.tryAcquire("k", 1);

    assertThat(limiter.acquire("k", 1, Duration.ofSeconds(1))).isFalse();
    primary.down = false;
    assertThat(limiter.acquire("k", 1, Duration.ofSeconds(10))).isTrue();
    assertThat(limiter.isFallingBack()).isFalse();
  }

  @Test
  void builderIsStrict() {
    assertRejected(() -> FallbackRateLimiter.builder(primary).build(), "policy");
    assertRejected(
        () -> FallbackRateLimiter.builder(primary).policy(FallbackPolicy.LOCAL_SHARE).build(),
        "localShare");
    assertRejected(
        () ->
            FallbackRateLimiter.builder(primary)
                .policy(FallbackPolicy.FAIL_OPEN)
                .expectedNodes(3)
                .build(),
        "localShare");
    assertRejected(
        () -> FallbackRateLimiter.builder(primary).expectedNodes(2).localShare(Limit.perMinute(1)),
        "localShare");
    assertRejected(() -> FallbackRateLimiter.builder(primary).expectedNodes(0), "expectedNodes");
    assertRejected(() -> FallbackRateLimiter.builder(primary).coolDown(Duration.ZERO), "coolDown");
    assertRejected(
        () ->
            FallbackRateLimiter.builder(primary)
                .policy(FallbackPolicy.FAIL_OPEN)
                .policy(FallbackPolicy.FAIL_CLOSED),
        "policy");
    assertRejected(() -> FallbackRateLimiter.builder(null), "primary");
  }
}
