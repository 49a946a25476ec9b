package dev.keel.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MaintenanceLockTtlTest {
  private static final Duration MAX = Duration.ofMinutes(1);

  @Test
  void theLockLastsTwoIntervalsWithinFiveSecondsAndTheMaximum() {
    assertThat(MaintenanceRunner.lockTtlFor(Duration.ofSeconds(10), MAX))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(MaintenanceRunner.lockTtlFor(Duration.ofMillis(250), MAX))
        .as("a short interval still leaves room for a slow run")
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(MaintenanceRunner.lockTtlFor(Duration.ofMinutes(5), MAX)).isEqualTo(MAX);
  }
}
