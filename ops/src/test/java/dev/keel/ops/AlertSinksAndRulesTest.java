package dev.keel.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.keel.outbox.WebhookSink;
import dev.keel.queue.DrainOptions;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.spi.AlertListRequest;
import dev.keel.queue.spi.AlertState;
import dev.keel.queue.spi.StoredAlert;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook sink, and the built-in rules on real figures (inline backend). */
class AlertSinksAndRulesTest {
  private HttpServer receiver;
  private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
  private final List<String> keys = Collections.synchronizedList(new ArrayList<>());
  private Keel keel;

  @BeforeEach
  void start() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/hook",
        ex -> {
          bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          keys.add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    receiver.start();
    keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register(
                "email",
                Map.class,
                JobHandler.of(
                    m -> {
                      if (Boolean.TRUE.equals(m.get("fail"))) {
                        throw new IllegalStateException("bounce");
                      }
                    }))
            .build();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
    keel.close();
  }

  private OpsConsole console(List<AlertRule> rules, AlertSink sink) {
    return OpsConsole.builder(keel)
        .authenticator(
            BearerTokenAuthenticator.builder().admin("alice", "alice-token-0123456789").build())
        .alerts(rules)
        .alertSink(sink)
        .build();
  }

  private URI hook() {
    return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
  }

  private List<StoredAlert> active() {
    return keel.backend()
        .listAlerts(
            new AlertListRequest(
                Set.of(AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.SNOOZED),
                null,
                null,
                100))
        .alerts();
  }

  @Test
  void theWebhookSinkPostsEachChangeWithAStableIdempotencyKey() throws Exception {
    AlertLifecycleContract.ScriptedRule rule = new AlertLifecycleContract.ScriptedRule();
    WebhookSink webhook = WebhookSink.builder(hook()).allowAddresses("127.0.0.1/32").build();
    try (OpsConsole console = console(List.of(rule), new WebhookAlertSink(webhook))) {
      rule.fire("email");
      console.evaluateAlertsNow();
      rule.fire();
      console.evaluateAlertsNow();
    }
    assertThat(bodies).hasSize(2);
    JsonNode opened = new ObjectMapper().readTree(bodies.get(0));
    assertThat(opened.path("kind").asText()).isEqualTo("OPENED");
    assertThat(opened.path("alert").path("subject").asText()).isEqualTo("email");
    assertThat(new ObjectMapper().readTree(bodies.get(1)).path("kind").asText())
        .isEqualTo("RESOLVED");
    assertThat(keys).doesNotContainNull().doesNotHaveDuplicates();
  }

  @Test
  void aRefusedWebhookTargetIsLoggedAndTheAlertIsStoredAnyway() {
    AlertLifecycleContract.ScriptedRule rule = new AlertLifecycleContract.ScriptedRule();
    // Loopback is refused unless allowed: the sink throws, the console logs it.
    WebhookSink webhook = WebhookSink.builder(hook()).build();
    try (OpsConsole console = console(List.of(rule), new WebhookAlertSink(webhook))) {
      rule.fire("email");
      AlertService.EvaluationReport r = console.evaluateAlertsNow();
      assertThat(r.opened()).isEqualTo(1);
    }
    assertThat(bodies).isEmpty();
    assertThat(active()).hasSize(1);
  }

  @Test
  void failureRateOpensPerTypeOnceEnoughJobsFailedAndResolvesWhenTheyNoLongerCount() {
    try (OpsConsole console =
        console(List.of(AlertRules.failureRate(Duration.ofHours(1), 0.5, 4)), n -> {})) {
      for (int i = 0; i < 3; i++) {
        keel.client().enqueue(JobRequest.of("email", Map.of("fail", true)).withMaxAttempts(1));
      }
      keel.drain(DrainOptions.defaults());
      console.evaluateAlertsNow();
      assertThat(active()).as("3 finished jobs are under minJobs 4").isEmpty();
      keel.client().enqueue(JobRequest.of("email", Map.of("fail", false)));
      keel.drain(DrainOptions.defaults());
      console.evaluateAlertsNow();
      assertThat(active())
          .singleElement()
          .satisfies(a -> assertThat(a.subject()).isEqualTo("email"));
      Alert a = console.alerts().find(OpsPrincipal.admin("x"), active().get(0).id()).orElseThrow();
      assertThat(a.message()).contains("75% of 4 finished jobs failed");
      assertThat(a.severity()).isEqualTo("warning");
      // Successes dilute the rate under the threshold: resolved.
      for (int i = 0; i < 4; i++) {
        keel.client().enqueue(JobRequest.of("email", Map.of("fail", false)));
      }
      keel.drain(DrainOptions.defaults());
      console.evaluateAlertsNow();
      assertThat(active()).isEmpty();
    }
  }

  @Test
  void outboxFailedAndStuckAndOldestDueRulesFollowTheirFigures() {
    AtomicLong parked = new AtomicLong(3);
    try (OpsConsole console =
        console(
            List.of(
                AlertRules.outboxFailed(parked::get, 0),
                AlertRules.oldestDue(Duration.ZERO),
                AlertRules.stuck(0)),
            n -> {})) {
      keel.client().enqueue(JobRequest.of("email", Map.of("fail", false)));
      console.evaluateAlertsNow();
      assertThat(active())
          .extracting(StoredAlert::rule)
          .containsExactlyInAnyOrder("outbox-failed", "oldest-due");
      parked.set(0);
      keel.drain(DrainOptions.defaults());
      console.evaluateAlertsNow();
      assertThat(active()).isEmpty();
    }
  }

  @Test
  void badRuleSettingsAreRefusedWithTheRuleNamed() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> AlertRules.failureRate(Duration.ZERO, 0.5, 1))
        .hasMessageContaining("failure-rate window");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> AlertRules.failureRate(Duration.ofMinutes(1), 1.5, 1))
        .hasMessageContaining("failure-rate ratio");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> console(List.of(AlertRules.stuck(0), AlertRules.stuck(1)), n -> {}))
        .hasMessageContaining("alert rule stuck given twice");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BearerTokenAuthenticator.builder().admin("a", "short").build())
        .hasMessageContaining("at least 16 characters");
  }
}
