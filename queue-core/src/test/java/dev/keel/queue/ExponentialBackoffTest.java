package dev.keel.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExponentialBackoffTest {

  @Test
  void nominalDelayDoublesFromBaseUpToTheCap() {
    ExponentialBackoff b =
        ExponentialBackoff.of(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), 0.25);
    assertThat(b.nominalDelay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.nominalDelay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.nominalDelay(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(b.nominalDelay(13)).isEqualTo(Duration.ofHours(1)); // 4096 s > 3600 s
    assertThat(b.nominalDelay(1000)).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void jitteredDelaysStayWithinTheirBoundsOverManyDraws() {
    Random random = new Random(42);
    ExponentialBackoff b =
        new ExponentialBackoff(
            Duration.ofSeconds(1), 2.0, Duration.ofHours(1), 0.25, random::nextDouble);
    for (int attempt = 1; attempt <= 20; attempt++) {
      long nominal = b.nominalDelay(attempt).toNanos();
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (int i = 0; i < 10_000; i++) {
        long d = b.delayAfter(attempt).toNanos();
        min = Math.min(min, d);
        max = Math.max(max, d);
      }
      assertThat(min)
          .as("attempt %d lower bound", attempt)
          .isGreaterThanOrEqualTo((long) (nominal * 0.75));
      assertThat(max)
          .as("attempt %d upper bound", attempt)
          .isLessThanOrEqualTo(Math.min((long) (nominal * 1.25), Duration.ofHours(1).toNanos()));
      // The draws really spread: jitter is not a constant.
      assertThat(max - min).as("attempt %d spread", attempt).isGreaterThan((long) (nominal * 0.2));
    }
  }

  @Test
  void defaultPolicyIsOneSecondDoublingCappedAtAnHour() {
    ExponentialBackoff d = (ExponentialBackoff) RetryPolicy.defaultPolicy();
    assertThat(d.base()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.factor()).isEqualTo(2.0);
    assertThat(d.cap()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void badSettingsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> ExponentialBackoff.of(Duration.ZERO, 2, Duration.ofSeconds(1), 0))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("retry.base");
    assertThatThrownBy(
            () -> ExponentialBackoff.of(Duration.ofSeconds(2), 2, Duration.ofSeconds(1), 0))
        .hasMessageContaining("retry.cap");
    assertThatThrownBy(
            () -> ExponentialBackoff.of(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(1), 0))
        .hasMessageContaining("retry.factor");
    assertThatThrownBy(
            () -> ExponentialBackoff.of(Duration.ofSeconds(1), 2, Duration.ofSeconds(1), 1.0))
        .hasMessageContaining("retry.jitter");
  }
}
