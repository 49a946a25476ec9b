package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.StartupMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EnvironmentConfigurationTest {

  @AfterEach
  void backendDown() {
    FlakyBackendProvider.UP.set(false);
  }

  private static Keel open(Map<String, String> env, StartupMode mode) {
    return Keel.builder().fromEnvironment(env, mode).build();
  }

  @Test
  void nothingConfiguredMeansInlineWithALoudWarning() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (Keel keel = open(Map.of(), StartupMode.FAIL_FAST)) {
      assertThat(keel.backend().capabilities().name()).isEqualTo("inline");
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("WARN")
        .contains("Jobs live in memory only");
  }

  @Test
  void theLegacyVariableAndItsAliasesAreUnderstood() {
    try (Keel keel = open(Map.of("JOB_QUEUE_BACKEND", "INLINE"), StartupMode.FAIL_FAST)) {
      assertThat(keel.backend().capabilities().name()).isEqualTo("inline");
    }
  }

  @Test
  void aDurableBackendWithoutItsUrlNamesTheMissingVariable() {
    assertThatThrownBy(() -> open(Map.of("KEEL_BACKEND", "flaky"), StartupMode.FAIL_FAST))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("FLAKY_URL");
  }

  @Test
  void aBackendWhoseModuleIsMissingNamesTheModule() {
    assertThatThrownBy(() -> open(Map.of("KEEL_BACKEND", "rq"), StartupMode.FAIL_FAST))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("dev.keel:queue-redis");
    assertThatThrownBy(() -> open(Map.of("KEEL_BACKEND", "postgres"), StartupMode.FAIL_FAST))
        .hasMessageContaining("dev.keel:queue-postgres");
  }

  @Test
  void anUnknownBackendIsAnErrorListingTheKnownOnes() {
    assertThatThrownBy(() -> open(Map.of("KEEL_BACKEND", "kafka"), StartupMode.FAIL_FAST))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("kafka")
        .hasMessageContaining("inline");
  }

  @Test
  void anUnreachableBackendFailsTheStartWithTheUrlMasked() {
    Map<String, String> env =
        Map.of("KEEL_BACKEND", "flaky", "FLAKY_URL", "flaky://app:s3cret@db.internal:1/x");
    assertThatThrownBy(() -> open(env, StartupMode.FAIL_FAST))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("flaky://app:***@db.internal:1/x")
        .hasMessageContaining("Check that the server runs")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void aDegradedStartReportsTheBackendDownRefusesEnqueueAndRecovers() {
    Map<String, String> env =
        Map.of("KEEL_BACKEND", "flaky", "FLAKY_URL", "flaky://app:s3cret@db.internal:1/x");
    try (Keel keel = open(env, StartupMode.DEGRADED)) {
      HealthSnapshot down = keel.health();
      assertThat(down.backendReachable()).isFalse();
      assertThat(down.healthy()).isFalse();
      assertThat(down.backendError()).contains("degraded").doesNotContain("s3cret");
      assertThatThrownBy(() -> keel.client().enqueue(JobRequest.of("t", Map.of("n", 1))))
          .isInstanceOf(BackendUnavailableException.class)
          .hasMessageContaining("not reachable");

      FlakyBackendProvider.UP.set(true);
      await().atMost(Duration.ofSeconds(30)).until(() -> keel.health().backendReachable());
      assertThat(keel.client().enqueue(JobRequest.of("t", Map.of("n", 1))).created()).isTrue();
    }
  }
}
