package dev.keel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

  @Test
  void allowedIsZero() {
    assertThat(RetryAfter.seconds(Decision.allow(3))).isZero();
  }

  @Test
  void oneMicrosecondRoundsUpToOneSecond() {
    assertThat(RetryAfter.seconds(Decision.deny(0, Duration.ofNanos(1_000)))).isEqualTo(1);
    assertThat(RetryAfter.seconds(Decision.deny(0, Duration.ofNanos(1)))).isEqualTo(1);
  }

  @Test
  void exactlyOneSecondIsOneSecond() {
    assertThat(RetryAfter.seconds(Decision.deny(0, Duration.ofSeconds(1)))).isEqualTo(1);
  }

  @Test
  void justOverOneSecondIsTwoSeconds() {
    assertThat(RetryAfter.seconds(Decision.deny(0, Duration.ofNanos(1_000_001_000)))).isEqualTo(2);
  }

  @Test
  void longWaitsRoundUp() {
    assertThat(RetryAfter.seconds(Decision.deny(2, Duration.ofSeconds(12)))).isEqualTo(12);
    assertThat(RetryAfter.seconds(Decision.deny(2, Duration.ofMillis(11_999)))).isEqualTo(12);
  }

  @Test
  void aDeniedDecisionAlwaysHasAPositiveWait() {
    assertThatThrownBy(() -> Decision.deny(0, Duration.ZERO))
        .isInstanceOf(RateLimitException.class)
        .hasMessageStartingWith("waitTime must be positive");
    assertThatThrownBy(() -> new Decision(true, 0, Duration.ofSeconds(1)))
        .hasMessageStartingWith("waitTime must be zero");
    assertThatThrownBy(() -> Decision.allow(-1)).hasMessageStartingWith("remaining ");
    assertThatThrownBy(() -> Decision.deny(0, null)).hasMessageStartingWith("waitTime ");
  }
}
