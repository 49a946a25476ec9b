package dev.keel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalRateLimiterConcurrencyTest {
  private static final int THREADS = 16;
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void manyThreadsOnOneKeyGetExactlyTheCapacityWhenNoTimePasses() throws Exception {
    ManualClock clock = new ManualClock();
    LocalRateLimiter limiter =
        LocalRateLimiter.builder(Limit.perMinute(1_000)).clock(clock).build();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Future<Long>> results = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                long granted = 0;
                for (int i = 0; i < 500; i++) {
                  int permits = 1 + ThreadLocalRandom.current().nextInt(3);
                  if (limiter.tryAcquire("hot", permits).allowed()) {
                    granted += permits;
                  }
                }
                return granted;
              }));
    }
    long granted = 0;
    for (Future<Long> result : results) {
      granted += result.get(30, TimeUnit.SECONDS);
    }

    assertThat(granted).isLessThanOrEqualTo(1_000);
    // whatever is left is what the last requests were too big for: granted + left = capacity
    long left = limiter.tryAcquire("hot", 1).allowed() ? 1 : 0;
    left += limiter.tryAcquire("hot", 1).allowed() ? 1 : 0;
    assertThat(granted + left).isEqualTo(1_000);
    assertThat(limiter.tryAcquire("hot", 1).allowed()).isFalse();
  }

  @Test
  void grantsStayWithinTheBoundWhileTheClockMoves() throws Exception {
    ManualClock clock = new ManualClock();
    Limit limit = Limit.perSecond(100).withBurst(50);
    LocalRateLimiter limiter = LocalRateLimiter.builder(limit).clock(clock).build();
    long startMicros = clock.micros();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong granted = new AtomicLong();
    AtomicLong attempts = new AtomicLong();
    // Each tick waits for at least one attempt since the previous one, so the workers see the
    // clock move however the two cores schedule the threads (the ticker alone could otherwise
    // finish all its ticks before a worker ran once).
    Future<?> ticker =
        pool.submit(
            () -> {
              for (int i = 0; i < 20_000; i++) {
                long seen = attempts.get();
                while (attempts.get() == seen) {
                  Thread.onSpinWait();
                }
                clock.advanceMicros(ThreadLocalRandom.current().nextInt(50));
              }
              running.set(false);
            });
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      workers.add(
          pool.submit(
              () -> {
                while (running.get()) {
                  if (limiter.tryAcquire("hot", 1).allowed()) {
                    granted.incrementAndGet();
                  }
                  attempts.incrementAndGet();
                }
              }));
    }
    ticker.get(60, TimeUnit.SECONDS);
    for (Future<?> worker : workers) {
      worker.get(30, TimeUnit.SECONDS);
    }
    long elapsedMicros = clock.micros() - startMicros;

    long bound = 50 + elapsedMicros * 100 / 1_000_000;
    assertThat(granted.get()).isLessThanOrEqualTo(bound);
    // and the limiter did not starve anyone: nearly all refilled tokens were handed out
    assertThat(granted.get()).isGreaterThan(bound / 2);
    assertThat(Duration.ofNanos(elapsedMicros * 1_000)).isPositive();
  }

  @Test
  void manyKeysInParallelEachGetTheirOwnCapacity() throws Exception {
    ManualClock clock = new ManualClock();
    LocalRateLimiter limiter = LocalRateLimiter.builder(Limit.perMinute(10)).clock(clock).build();
    List<Future<Long>> results = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      results.add(
          pool.submit(
              () -> {
                long granted = 0;
                for (int i = 0; i < 2_000; i++) {
                  if (limiter.tryAcquire("key-" + (i % 100), 1).allowed()) {
                    granted++;
                  }
                }
                return granted;
              }));
    }
    long granted = 0;
    for (Future<Long> result : results) {
      granted += result.get(30, TimeUnit.SECONDS);
    }

    assertThat(granted).isEqualTo(100 * 10);
  }
}
