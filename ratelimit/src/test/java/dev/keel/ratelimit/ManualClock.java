package dev.keel.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test moves it, in whole microseconds. */
final class ManualClock implements InstantSource {
  private final AtomicLong micros;

  ManualClock() {
    this(1_700_000_000_000_000L);
  }

  ManualClock(long epochMicros) {
    this.micros = new AtomicLong(epochMicros);
  }

  @Override
  public Instant instant() {
    return Instant.EPOCH.plus(micros.get(), ChronoUnit.MICROS);
  }

  long micros() {
    return micros.get();
  }

  void advanceMicros(long delta) {
    micros.addAndGet(delta);
  }

  void advance(Duration delta) {
    advanceMicros(delta.toNanos() / 1_000);
  }

  /** A sleeper that advances this clock instead of blocking. */
  Sleeper sleeper() {
    return this::advance;
  }
}
