package dev.keel.queue.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Doubling delays with jitter between a floor and a ceiling, for reconnect and error loops. */
final class Backoff {
  private final Duration min;
  private final Duration max;
  private int failures;

  Backoff(Duration min, Duration max) {
    this.min = min;
    this.max = max;
  }

  Duration next() {
    long base = min.toMillis() << Math.min(failures, 20);
    failures++;
    long capped = Math.min(base, max.toMillis());
    long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    return Duration.ofMillis(Math.max(jittered, min.toMillis()));
  }

  int failures() {
    return failures;
  }

  void reset() {
    failures = 0;
  }
}
