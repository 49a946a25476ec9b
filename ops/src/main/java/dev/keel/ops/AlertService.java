package dev.keel.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.spi.AlertListRequest;
import dev.keel.queue.spi.AlertOpenRequest;
import dev.keel.queue.spi.AlertOpenResult;
import dev.keel.queue.spi.AlertPage;
import dev.keel.queue.spi.AlertPruneRequest;
import dev.keel.queue.spi.AlertState;
import dev.keel.queue.spi.AlertUpdateRequest;
import dev.keel.queue.spi.AlertUpdateResult;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.StoredAlert;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stored alerts: evaluation of the rules, and the actions people take (acknowledge, snooze,
 * resolve). Obtain it from {@link OpsConsole#alerts()}.
 *
 * <p>One node evaluates at a time: an evaluation first takes the backend's lock named {@value
 * #LOCK}, a lock of its own beside the maintenance lock. Even without it two evaluators could not
 * duplicate an alert or a notification: opening is atomic per rule and subject, every change is a
 * compare-and-set on the alert's version, and only the caller whose write won notifies the sink.
 */
public final class AlertService {
  /** The backend lock the evaluator holds while it evaluates. */
  public static final String LOCK = "ops";

  private static final Logger log = LoggerFactory.getLogger(AlertService.class);
  private static final String EVALUATOR = "keel";
  private static final int CAS_TRIES = 5;

  private final QueueBackend backend;
  private final List<AlertRule> rules;
  private final List<AlertSink> sinks;
  private final InstantSource clock;
  private final ObjectMapper json;
  private final String owner;
  private final Duration lockTtl;
  private final Duration resolvedRetention;
  private final Supplier<UUID> ids;

  // The outage seen by this node while the backend was unreachable, written once it answers.
  private Instant downSince;
  private String downError;

  AlertService(
      QueueBackend backend,
      List<AlertRule> rules,
      List<AlertSink> sinks,
      InstantSource clock,
      ObjectMapper json,
      String owner,
      Duration lockTtl,
      Duration resolvedRetention,
      Supplier<UUID> ids) {
    this.backend = backend;
    this.rules = List.copyOf(rules);
    this.sinks = List.copyOf(sinks);
    this.clock = clock;
    this.json = json;
    this.owner = owner;
    this.lockTtl = lockTtl;
    this.resolvedRetention = resolvedRetention;
    this.ids = ids;
  }

  /** What one evaluation did. */
  public record EvaluationReport(
      boolean evaluated,
      int opened,
      int reopened,
      int resolved,
      int refreshed,
      List<String> errors) {
    public EvaluationReport {
      errors = List.copyOf(errors);
    }

    static EvaluationReport skipped() {
      return new EvaluationReport(false, 0, 0, 0, 0, List.of());
    }
  }

  /** The rules this service evaluates. */
  public List<AlertRule> rules() {
    return rules;
  }

  /**
   * Evaluates every rule once now, if this node gets the {@value #LOCK} lock; otherwise returns a
   * report with {@code evaluated = false}. Never throws for a rule or sink failure (they are logged
   * and listed in the report).
   */
  public synchronized EvaluationReport evaluate() {
    Instant now = clock.instant();
    try {
      if (!backend.lockMaintenance(new MaintenanceLockRequest(owner, lockTtl, LOCK))) {
        return EvaluationReport.skipped();
      }
    } catch (RuntimeException e) {
      return unreachable(now, e);
    }
    Counts c = new Counts();
    List<String> errors = new ArrayList<>();
    try {
      if (downSince != null) {
        recordOutage(now, c);
      }
      Map<String, StoredAlert> active = activeAlerts();
      AlertContext ctx = new AlertContext(backend, now);
      Set<String> evaluatedRules = new HashSet<>();
      Set<String> firing = new HashSet<>();
      for (AlertRule rule : rules) {
        if (rule instanceof AlertRules.BackendUnreachable) {
          evaluatedRules.add(rule.name());
          continue;
        }
        List<AlertCondition> conditions;
        try {
          conditions = rule.evaluate(ctx);
        } catch (BackendUnavailableException e) {
          throw e;
        } catch (RuntimeException e) {
          log.error(
              "Alert rule {} failed; its open alerts are left as they are until it works again",
              rule.name(),
              e);
          errors.add(rule.name() + ": " + e);
          continue;
        }
        evaluatedRules.add(rule.name());
        for (AlertCondition cond : conditions) {
          String key = rule.name() + "\u0000" + cond.subject();
          if (!firing.add(key)) {
            continue; // a rule naming one subject twice is one alert
          }
          StoredAlert existing = active.get(key);
          if (existing == null) {
            open(rule.name(), cond, now, c);
          } else {
            refresh(existing, cond, now, c);
          }
        }
      }
      for (Map.Entry<String, StoredAlert> e : active.entrySet()) {
        StoredAlert a = e.getValue();
        if (!firing.contains(e.getKey()) && evaluatedRules.contains(a.rule())) {
          resolve(a, EVALUATOR, "condition cleared", now, c);
        }
      }
      backend.pruneAlerts(new AlertPruneRequest(resolvedRetention, 1_000));
    } catch (BackendUnavailableException e) {
      return unreachable(now, e);
    }
    return new EvaluationReport(true, c.opened, c.reopened, c.resolved, c.refreshed, errors);
  }

  /** Gives the evaluator's lock up (on close). */
  void unlock() {
    try {
      backend.unlockMaintenance(LOCK, owner);
    } catch (RuntimeException e) {
      log.warn("Could not release the alert evaluator's lock; it expires after {}", lockTtl, e);
    }
  }

  /** Alerts newest first, as {@code principal} may see them. */
  public AlertPage list(OpsPrincipal principal, Set<AlertState> states, UUID before, int limit) {
    return backend.listAlerts(
        new AlertListRequest(
            states, principal.admin() ? null : principal.tenants(), before, limit));
  }

  /** One alert, if it exists and {@code principal} may see it. */
  public Optional<Alert> find(OpsPrincipal principal, UUID id) {
    return backend.findAlert(id).filter(a -> visible(principal, a)).map(a -> Alert.read(json, a));
  }

  /** Alerts as the API shows them. */
  Alert read(StoredAlert a) {
    return Alert.read(json, a);
  }

  /**
   * Acknowledge: a person is on it. Allowed from OPEN and SNOOZED (and again when acknowledged).
   */
  public Alert acknowledge(OpsPrincipal principal, UUID id) {
    return change(
        principal,
        id,
        a -> {
          Instant now = clock.instant();
          return new Change(
              a.acknowledged(principal.name(), now),
              new Alert.Event(now, AlertState.ACKNOWLEDGED, principal.name(), "acknowledged"));
        });
  }

  /** Silence until {@code until}; the evaluator reopens it then if the condition still holds. */
  public Alert snooze(OpsPrincipal principal, UUID id, Duration duration) {
    return change(
        principal,
        id,
        a -> {
          Instant now = clock.instant();
          Instant until = now.plus(duration);
          return new Change(
              a.snoozed(until),
              new Alert.Event(
                  now,
                  AlertState.SNOOZED,
                  principal.name(),
                  "snoozed for " + AlertRules.human(duration) + " until " + until));
        });
  }

  /** Resolve by hand. If the condition still holds, the next evaluation opens a new alert. */
  public Alert resolve(OpsPrincipal principal, UUID id) {
    return change(
        principal,
        id,
        a -> {
          Instant now = clock.instant();
          return new Change(
              a.resolved(principal.name(), now),
              new Alert.Event(now, AlertState.RESOLVED, principal.name(), "resolved by hand"));
        });
  }

  /** Thrown by the actions for a RESOLVED alert (the API answers 409). */
  public static final class AlertResolvedException extends RuntimeException {
    AlertResolvedException(UUID id) {
      super("alert " + id + " is resolved; it can no longer change");
    }
  }

  /** Thrown by the actions for an alert that does not exist or is not visible (404). */
  public static final class NoSuchAlertException extends RuntimeException {
    NoSuchAlertException(UUID id) {
      super("no alert " + id);
    }
  }

  private record Change(Alert next, Alert.Event event) {}

  private Alert change(
      OpsPrincipal principal, UUID id, java.util.function.Function<Alert, Change> f) {
    for (int i = 0; i < CAS_TRIES; i++) {
      StoredAlert s =
          backend
              .findAlert(id)
              .filter(a -> visible(principal, a))
              .orElseThrow(() -> new NoSuchAlertException(id));
      if (s.state() == AlertState.RESOLVED) {
        throw new AlertResolvedException(id);
      }
      Alert current = Alert.read(json, s);
      Change ch = f.apply(current);
      AlertUpdateResult r =
          backend.updateAlert(
              new AlertUpdateRequest(
                  id, s.version(), ch.next.state(), ch.next.body(json, ch.event)));
      if (r.changed()) {
        Alert after = Alert.read(json, r.alert().orElseThrow());
        if (after.state() == AlertState.RESOLVED) {
          notifySinks(new AlertNotification(AlertNotification.Kind.RESOLVED, after));
        }
        return after;
      }
    }
    throw new IllegalStateException(
        "alert " + id + " kept changing under " + CAS_TRIES + " attempts; try again");
  }

  private static boolean visible(OpsPrincipal p, StoredAlert a) {
    return p.admin() || (a.tenant() != null && p.canSee(a.tenant()));
  }

  private static final class Counts {
    int opened;
    int reopened;
    int resolved;
    int refreshed;
  }

  private Map<String, StoredAlert> activeAlerts() {
    Map<String, StoredAlert> active = new HashMap<>();
    UUID before = null;
    Set<AlertState> states = Set.of(AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.SNOOZED);
    for (int pages = 0; pages < 100; pages++) {
      AlertPage p =
          backend.listAlerts(
              new AlertListRequest(states, null, before, AlertListRequest.MAX_LIMIT));
      for (StoredAlert a : p.alerts()) {
        active.putIfAbsent(a.rule() + "\u0000" + a.subject(), a);
      }
      if (p.next().isEmpty()) {
        break;
      }
      before = p.next().get();
    }
    return active;
  }

  private void open(String rule, AlertCondition cond, Instant now, Counts c) {
    AlertOpenResult r =
        backend.openAlert(
            new AlertOpenRequest(
                ids.get(), rule, cond.subject(), cond.tenant(), Alert.newBody(json, cond, now)));
    if (r.created()) {
      c.opened++;
      notifySinks(
          new AlertNotification(AlertNotification.Kind.OPENED, Alert.read(json, r.alert())));
    } else {
      refresh(r.alert(), cond, now, c); // another evaluator opened it a moment ago
    }
  }

  private void refresh(StoredAlert s, AlertCondition cond, Instant now, Counts c) {
    Alert a = Alert.read(json, s).seen(cond.message(), cond.severity(), now);
    AlertState next = s.state();
    Alert.Event event = null;
    boolean reopen =
        s.state() == AlertState.SNOOZED
            && (a.snoozedUntil() == null || !a.snoozedUntil().isAfter(now));
    if (reopen) {
      a = a.reopened();
      next = AlertState.OPEN;
      event = new Alert.Event(now, AlertState.OPEN, EVALUATOR, "snooze ended; " + cond.message());
    }
    AlertUpdateResult r =
        backend.updateAlert(new AlertUpdateRequest(s.id(), s.version(), next, a.body(json, event)));
    if (!r.changed()) {
      return; // someone acted on it meanwhile; the next evaluation sees their change
    }
    if (reopen) {
      c.reopened++;
      notifySinks(
          new AlertNotification(
              AlertNotification.Kind.REOPENED, Alert.read(json, r.alert().orElseThrow())));
    } else {
      c.refreshed++;
    }
  }

  private void resolve(StoredAlert s, String by, String note, Instant now, Counts c) {
    Alert a = Alert.read(json, s).resolved(by, now);
    AlertUpdateResult r =
        backend.updateAlert(
            new AlertUpdateRequest(
                s.id(),
                s.version(),
                AlertState.RESOLVED,
                a.body(json, new Alert.Event(now, AlertState.RESOLVED, by, note))));
    if (r.changed()) {
      c.resolved++;
      notifySinks(
          new AlertNotification(
              AlertNotification.Kind.RESOLVED, Alert.read(json, r.alert().orElseThrow())));
    }
  }

  private boolean watchesBackend() {
    return rules.stream().anyMatch(r -> r instanceof AlertRules.BackendUnreachable);
  }

  private EvaluationReport unreachable(Instant now, RuntimeException e) {
    log.warn("Alert evaluation: the backend did not answer", e);
    if (watchesBackend() && downSince == null) {
      downSince = now;
      downError = String.valueOf(e.getMessage());
      // Not stored (the backend is down): the sinks hear of it now, the record follows later.
      Alert a =
          new Alert(
              new UUID(0, 0),
              AlertRules.BackendUnreachable.INSTANCE.name(),
              backend.capabilities().name(),
              null,
              AlertState.OPEN,
              "critical",
              "backend " + backend.capabilities().name() + " unreachable: " + downError,
              now,
              now,
              0,
              now,
              null,
              null,
              null,
              null,
              null,
              List.of(new Alert.Event(now, AlertState.OPEN, EVALUATOR, downError)));
      notifySinks(new AlertNotification(AlertNotification.Kind.OPENED, a));
    }
    return new EvaluationReport(false, 0, 0, 0, 0, List.of("backend unreachable: " + e));
  }

  private void recordOutage(Instant now, Counts c) {
    String name = backend.capabilities().name();
    AlertCondition cond =
        new AlertCondition(
            name,
            null,
            "critical",
            "backend "
                + name
                + " was unreachable from "
                + downSince
                + " to "
                + now
                + ": "
                + downError);
    AlertOpenResult r =
        backend.openAlert(
            new AlertOpenRequest(
                ids.get(),
                AlertRules.BackendUnreachable.INSTANCE.name(),
                name,
                null,
                Alert.newBody(json, cond, downSince)));
    downSince = null;
    downError = null;
    resolve(r.alert(), EVALUATOR, "backend answers again", now, c);
  }

  private void notifySinks(AlertNotification n) {
    for (AlertSink sink : sinks) {
      try {
        sink.notify(n);
      } catch (Exception e) {
        log.error(
            "Alert sink {} failed on {} of alert {} ({}); the alert is stored regardless",
            sink,
            n.kind(),
            n.alert().id(),
            n.alert().message(),
            e);
      }
    }
  }
}
