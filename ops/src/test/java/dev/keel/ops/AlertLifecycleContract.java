package dev.keel.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.AlertListRequest;
import dev.keel.queue.spi.AlertState;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.PingResult;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.StatsRequest;
import dev.keel.queue.spi.StoredAlert;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The life cycle of stored alerts on each backend: one alert per rule and subject however often it
 * is evaluated, acknowledge, snooze and its expiry, resolution when the condition clears, two nodes
 * evaluating at once, and an unreachable backend.
 */
abstract class AlertLifecycleContract {
  abstract QueueBackend openBackend();

  /** The console's clock, moved by hand (leases and alert columns keep the backend's). */
  static final class MovableClock implements InstantSource {
    private volatile Instant now = Instant.now();

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  /** A rule whose conditions the test sets. */
  static final class ScriptedRule implements AlertRule {
    final AtomicReference<List<AlertCondition>> now = new AtomicReference<>(List.of());
    final AtomicBoolean explode = new AtomicBoolean();

    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public List<AlertCondition> evaluate(AlertContext context) {
      if (explode.get()) {
        throw new IllegalStateException("the rule's own check broke");
      }
      return now.get();
    }

    void fire(String... subjects) {
      List<AlertCondition> c = new ArrayList<>();
      for (String s : subjects) {
        c.add(new AlertCondition(s, null, "warning", s + " is unwell"));
      }
      now.set(c);
    }
  }

  /** A backend that can be made to stop answering. */
  static final class Breakable extends ForwardingQueueBackend {
    final QueueBackend inner;
    volatile boolean down;

    Breakable(QueueBackend inner) {
      this.inner = inner;
    }

    @Override
    protected QueueBackend delegate() {
      if (down) {
        throw new BackendUnavailableException("connection refused (test)", null);
      }
      return inner;
    }

    @Override
    public dev.keel.queue.spi.BackendCapabilities capabilities() {
      return inner.capabilities();
    }

    @Override
    public PingResult ping() {
      return delegate().ping();
    }

    @Override
    public BackendStats stats(StatsRequest request) {
      return delegate().stats(request);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  final MovableClock clock = new MovableClock();
  final ScriptedRule rule = new ScriptedRule();
  final List<AlertNotification> heard = Collections.synchronizedList(new ArrayList<>());
  Breakable backend;
  Keel keel;
  OpsConsole console;
  final OpsPrincipal admin = OpsPrincipal.admin("alice");

  @BeforeEach
  void start() {
    backend = new Breakable(openBackend());
    keel = Keel.builder().backend(backend).build();
    console = console(keel, List.of(rule, AlertRules.backendUnreachable()));
  }

  OpsConsole console(Keel k, List<AlertRule> rules) {
    return OpsConsole.builder(k)
        .authenticator(
            BearerTokenAuthenticator.builder().admin("alice", "alice-token-0123456789").build())
        .alerts(rules)
        .alertSink(heard::add)
        .clock(clock)
        .build();
  }

  @AfterEach
  void stop() {
    console.close();
    keel.close();
  }

  private List<StoredAlert> alerts(AlertState... states) {
    return keel.backend()
        .listAlerts(new AlertListRequest(Set.of(states), null, null, 100))
        .alerts();
  }

  private List<AlertNotification.Kind> kinds() {
    synchronized (heard) {
      return heard.stream().map(AlertNotification::kind).toList();
    }
  }

  @Test
  void aLastingConditionIsOneAlertAndOneNotification() {
    rule.fire("email");
    AlertService.EvaluationReport first = console.evaluateAlertsNow();
    assertThat(first.evaluated()).isTrue();
    assertThat(first.opened()).isEqualTo(1);
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(30));
      AlertService.EvaluationReport r = console.evaluateAlertsNow();
      assertThat(r.opened()).isZero();
      assertThat(r.refreshed()).isEqualTo(1);
    }
    List<StoredAlert> open = alerts(AlertState.OPEN);
    assertThat(open).hasSize(1);
    Alert a = console.alerts().find(admin, open.get(0).id()).orElseThrow();
    assertThat(a.lastSeenAt()).isEqualTo(clock.instant());
    assertThat(a.history()).hasSize(1);
    assertThat(kinds()).containsExactly(AlertNotification.Kind.OPENED);
  }

  @Test
  void anAcknowledgedAlertResolvesItselfWhenTheConditionClears() {
    rule.fire("email", "sms");
    console.evaluateAlertsNow();
    StoredAlert email =
        alerts(AlertState.OPEN).stream().filter(a -> a.subject().equals("email")).findFirst().get();
    Alert acked = console.alerts().acknowledge(admin, email.id());
    assertThat(acked.state()).isEqualTo(AlertState.ACKNOWLEDGED);
    assertThat(acked.acknowledgedBy()).isEqualTo("alice");
    rule.fire("sms"); // email recovered
    AlertService.EvaluationReport r = console.evaluateAlertsNow();
    assertThat(r.resolved()).isEqualTo(1);
    Alert after = console.alerts().find(admin, email.id()).orElseThrow();
    assertThat(after.state()).isEqualTo(AlertState.RESOLVED);
    assertThat(after.resolvedBy()).isEqualTo("keel");
    assertThat(after.history())
        .extracting(Alert.Event::state)
        .containsExactly(AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.RESOLVED);
    assertThat(alerts(AlertState.OPEN)).extracting(StoredAlert::subject).containsExactly("sms");
    assertThat(kinds())
        .containsExactly(
            AlertNotification.Kind.OPENED,
            AlertNotification.Kind.OPENED,
            AlertNotification.Kind.RESOLVED);
  }

  @Test
  void aSnoozedAlertStaysQuietUntilItsSnoozeEndsThenReopens() {
    rule.fire("email");
    console.evaluateAlertsNow();
    StoredAlert a = alerts(AlertState.OPEN).get(0);
    console.alerts().snooze(admin, a.id(), Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(9));
    console.evaluateAlertsNow();
    assertThat(console.alerts().find(admin, a.id()).orElseThrow().state())
        .isEqualTo(AlertState.SNOOZED);
    clock.advance(Duration.ofMinutes(2));
    AlertService.EvaluationReport r = console.evaluateAlertsNow();
    assertThat(r.reopened()).isEqualTo(1);
    Alert reopened = console.alerts().find(admin, a.id()).orElseThrow();
    assertThat(reopened.state()).isEqualTo(AlertState.OPEN);
    assertThat(reopened.snoozedUntil()).isNull();
    assertThat(kinds())
        .containsExactly(AlertNotification.Kind.OPENED, AlertNotification.Kind.REOPENED);
  }

  @Test
  void resolvingByHandWhileItStillHoldsOpensANewAlertNextTime() {
    rule.fire("email");
    console.evaluateAlertsNow();
    StoredAlert first = alerts(AlertState.OPEN).get(0);
    console.alerts().resolve(admin, first.id());
    assertThatThrownBy(() -> console.alerts().acknowledge(admin, first.id()))
        .isInstanceOf(AlertService.AlertResolvedException.class);
    console.evaluateAlertsNow();
    List<StoredAlert> open = alerts(AlertState.OPEN);
    assertThat(open).hasSize(1);
    assertThat(open.get(0).id()).isNotEqualTo(first.id());
    assertThat(alerts(AlertState.RESOLVED)).extracting(StoredAlert::id).containsExactly(first.id());
  }

  @Test
  void aRuleThatThrowsLeavesItsAlertsAsTheyAre() {
    rule.fire("email");
    console.evaluateAlertsNow();
    rule.explode.set(true);
    AlertService.EvaluationReport r = console.evaluateAlertsNow();
    assertThat(r.errors()).singleElement().asString().contains("scripted");
    assertThat(r.resolved()).isZero();
    assertThat(alerts(AlertState.OPEN)).hasSize(1);
  }

  @Test
  void twoNodesEvaluatingAtOnceMakeOneAlertAndOneNotification() throws Exception {
    rule.fire("email");
    Keel second = Keel.builder().backend(openSharing()).build();
    OpsConsole other = console(second, List.of(rule));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> runs = new ArrayList<>();
      for (OpsConsole c : List.of(console, other)) {
        runs.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 20; i++) {
                    c.evaluateAlertsNow();
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> run : runs) {
        run.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      other.close();
      second.close();
    }
    assertThat(alerts(AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.SNOOZED)).hasSize(1);
    assertThat(kinds()).containsExactly(AlertNotification.Kind.OPENED);
  }

  @Test
  void twoNodesCannotBothHoldTheEvaluatorLock() {
    rule.fire("email");
    Keel second = Keel.builder().backend(openSharing()).build();
    OpsConsole other = console(second, List.of(rule));
    try {
      assertThat(console.evaluateAlertsNow().evaluated()).isTrue();
      assertThat(other.evaluateAlertsNow().evaluated()).isFalse();
    } finally {
      other.close();
      second.close();
    }
    // Closing the first gives the lock up.
    console.close();
    Keel third = Keel.builder().backend(openSharing()).build();
    OpsConsole next = console(third, List.of(rule));
    try {
      assertThat(next.evaluateAlertsNow().evaluated()).isTrue();
    } finally {
      next.close();
      third.close();
    }
  }

  /**
   * A second backend object on the same stored data, as a second node would open it. The inline
   * backend has no such thing, so its subclass shares the one instance.
   */
  abstract QueueBackend openSharing();

  @Test
  void anUnreachableBackendIsToldAtOnceAndRecordedWhenItAnswersAgain() {
    console.evaluateAlertsNow();
    backend.down = true;
    AlertService.EvaluationReport r = console.evaluateAlertsNow();
    assertThat(r.evaluated()).isFalse();
    assertThat(kinds()).containsExactly(AlertNotification.Kind.OPENED);
    assertThat(heard.get(0).alert().rule()).isEqualTo("backend-unreachable");
    console.evaluateAlertsNow(); // still down: no second notification
    assertThat(kinds()).hasSize(1);
    clock.advance(Duration.ofMinutes(3));
    backend.down = false;
    console.evaluateAlertsNow();
    List<StoredAlert> resolved = alerts(AlertState.RESOLVED);
    assertThat(resolved)
        .singleElement()
        .extracting(StoredAlert::rule)
        .isEqualTo("backend-unreachable");
    Alert outage = console.alerts().find(admin, resolved.get(0).id()).orElseThrow();
    assertThat(outage.message()).contains("was unreachable from");
    assertThat(kinds())
        .containsExactly(AlertNotification.Kind.OPENED, AlertNotification.Kind.RESOLVED);
  }
}
