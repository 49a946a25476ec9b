package dev.keel.queue.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.IdempotencyPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class NewJobTest {
  private static final NewJob BASE =
      new NewJob(
          UUID.randomUUID(),
          "email",
          "default",
          "acme",
          "{\"n\":1}",
          0,
          25,
          null,
          Duration.ZERO,
          null,
          null,
          IdempotencyPolicy.whileActive(),
          null,
          Map.of());

  private static NewJob with(UnaryOperator<Object[]> change) {
    Object[] f = {
      BASE.id(),
      BASE.type(),
      BASE.queue(),
      BASE.tenant(),
      BASE.payload(),
      BASE.priority(),
      BASE.maxAttempts(),
      BASE.runAt(),
      BASE.delay(),
      BASE.timeout(),
      BASE.idempotencyKey(),
      BASE.idempotencyPolicy(),
      BASE.traceparent(),
      BASE.metadata()
    };
    f = change.apply(f);
    @SuppressWarnings("unchecked")
    Map<String, String> metadata = (Map<String, String>) f[13];
    return new NewJob(
        (UUID) f[0],
        (String) f[1],
        (String) f[2],
        (String) f[3],
        (String) f[4],
        (Integer) f[5],
        (Integer) f[6],
        (Instant) f[7],
        (Duration) f[8],
        (Duration) f[9],
        (String) f[10],
        (IdempotencyPolicy) f[11],
        (String) f[12],
        metadata);
  }

  private static NewJob set(int field, Object value) {
    return with(
        f -> {
          f[field] = value;
          return f;
        });
  }

  @Test
  void jobsThatDifferOnlyInIdPayloadAndKeyShareTheirSettings() {
    NewJob other =
        with(
            f -> {
              f[0] = UUID.randomUUID();
              f[4] = "{\"n\":2}";
              f[10] = "key-2";
              return f;
            });
    assertThat(BASE.sameSettingsAs(other)).isTrue();
    assertThat(other.sameSettingsAs(BASE)).isTrue();
    assertThat(BASE.sameSettingsAs(set(0, UUID.randomUUID()))).isTrue();
    assertThat(BASE.sameSettingsAs(set(4, "{\"n\":3}"))).isTrue();
    assertThat(BASE.sameSettingsAs(set(10, "key-3"))).isTrue();
  }

  @Test
  void windowsOfTheSameLengthAreTheSameSetting() {
    NewJob a = set(11, IdempotencyPolicy.window(Duration.ofMinutes(5)));
    NewJob b = set(11, IdempotencyPolicy.window(Duration.ofSeconds(300)));
    assertThat(a.sameSettingsAs(b)).isTrue();
    assertThat(a.sameSettingsAs(set(11, IdempotencyPolicy.window(Duration.ofMinutes(6)))))
        .isFalse();
  }

  @Test
  void anyOtherDifferenceIsADifferentSetting() {
    assertThat(BASE.sameSettingsAs(set(1, "sms"))).isFalse();
    assertThat(BASE.sameSettingsAs(set(2, "bulk"))).isFalse();
    assertThat(BASE.sameSettingsAs(set(3, "other"))).isFalse();
    assertThat(BASE.sameSettingsAs(set(5, 1))).isFalse();
    assertThat(BASE.sameSettingsAs(set(6, 3))).isFalse();
    assertThat(BASE.sameSettingsAs(set(7, Instant.parse("2030-01-01T00:00:00Z")))).isFalse();
    assertThat(BASE.sameSettingsAs(set(8, Duration.ofSeconds(1)))).isFalse();
    assertThat(BASE.sameSettingsAs(set(9, Duration.ofSeconds(5)))).isFalse();
    assertThat(BASE.sameSettingsAs(set(11, IdempotencyPolicy.window(Duration.ofHours(1)))))
        .isFalse();
    assertThat(
            BASE.sameSettingsAs(set(12, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")))
        .isFalse();
    assertThat(BASE.sameSettingsAs(set(13, Map.of("k", "v")))).isFalse();
  }
}
