package dev.keel.queue.redis.internal;

import dev.keel.queue.spi.AlertListRequest;
import dev.keel.queue.spi.AlertOpenRequest;
import dev.keel.queue.spi.AlertOpenResult;
import dev.keel.queue.spi.AlertPage;
import dev.keel.queue.spi.AlertPruneRequest;
import dev.keel.queue.spi.AlertState;
import dev.keel.queue.spi.AlertUpdateRequest;
import dev.keel.queue.spi.AlertUpdateResult;
import dev.keel.queue.spi.SampleListRequest;
import dev.keel.queue.spi.SampleWriteRequest;
import dev.keel.queue.spi.StoredAlert;
import dev.keel.queue.spi.StoredSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The operations console's alerts and backlog samples on Redis: one script per call (alert_*.lua,
 * sample_*.lua), so each is atomic; an open checks the active-alert index and stores the alert
 * without anything in between. Key layout in KEYS.md.
 */
public final class RedisOps {
  private final LuaScripts scripts;

  public RedisOps(LuaScripts scripts) {
    this.scripts = scripts;
  }

  public AlertOpenResult open(AlertOpenRequest request) {
    List<?> reply =
        (List<?>)
            scripts.run(
                "alert_open",
                List.of(
                    request.id().toString(),
                    request.rule(),
                    request.subject(),
                    request.tenant() == null ? "0" : "1",
                    request.tenant() == null ? "" : request.tenant(),
                    request.body()));
    return new AlertOpenResult(alert(reply.get(1)), Long.valueOf(1).equals(reply.get(0)));
  }

  public AlertUpdateResult update(AlertUpdateRequest request) {
    List<?> reply =
        (List<?>)
            scripts.run(
                "alert_update",
                List.of(
                    request.id().toString(),
                    Long.toString(request.expectedVersion()),
                    request.state().name(),
                    request.body()));
    if (reply.isEmpty()) {
      return new AlertUpdateResult(Optional.empty(), false);
    }
    return new AlertUpdateResult(
        Optional.of(alert(reply.get(1))), Long.valueOf(1).equals(reply.get(0)));
  }

  public Optional<StoredAlert> find(UUID id) {
    List<?> reply = (List<?>) scripts.run("alert_read", List.of("find", id.toString()));
    return reply.isEmpty() ? Optional.empty() : Optional.of(alert(reply.get(0)));
  }

  public AlertPage list(AlertListRequest request) {
    List<String> args = new ArrayList<>();
    args.add("list");
    args.add(request.before() == null ? "" : request.before().toString());
    args.add(Integer.toString(request.limit()));
    args.add(request.tenants() == null ? "1" : "0");
    args.add(Integer.toString(request.states().size()));
    for (AlertState s : request.states()) {
      args.add(s.name());
    }
    List<String> tenants = request.tenants() == null ? List.of() : List.copyOf(request.tenants());
    args.add(Integer.toString(tenants.size()));
    args.addAll(tenants);
    List<?> reply = (List<?>) scripts.run("alert_read", args);
    List<StoredAlert> alerts = new ArrayList<>(reply.size());
    for (Object record : reply) {
      alerts.add(alert(record));
    }
    return AlertPage.of(alerts, request.limit());
  }

  public long prune(AlertPruneRequest request) {
    return (Long)
        scripts.run(
            "alert_prune",
            List.of(
                Long.toString(Micros.of(request.resolvedRetention())),
                Integer.toString(request.limit())));
  }

  public StoredSample writeSample(SampleWriteRequest request) {
    String at =
        (String)
            scripts.run(
                "sample_write",
                List.of(request.body(), Long.toString(Math.max(1, Micros.of(request.keep())))));
    return new StoredSample(Micros.toInstant(at), request.body());
  }

  public List<StoredSample> samples(SampleListRequest request) {
    List<?> reply =
        (List<?>)
            scripts.run(
                "sample_list",
                List.of(
                    Long.toString(Math.max(1, Micros.of(request.since()))),
                    Integer.toString(request.limit())));
    List<StoredSample> samples = new ArrayList<>(reply.size());
    for (Object o : reply) {
      String member = (String) o;
      int bar = member.indexOf('|');
      samples.add(
          new StoredSample(Micros.toInstant(member.substring(0, bar)), member.substring(bar + 1)));
    }
    Collections.reverse(samples); // the script answers newest first
    return samples;
  }

  /** An alert_record() reply: id, rule, subject, tenant, state, openedAt, … body, hasTenant. */
  private static StoredAlert alert(Object reply) {
    List<?> r = (List<?>) reply;
    return new StoredAlert(
        UUID.fromString((String) r.get(0)),
        (String) r.get(1),
        (String) r.get(2),
        "1".equals(r.get(9)) ? (String) r.get(3) : null,
        AlertState.valueOf((String) r.get(4)),
        Micros.toInstant((String) r.get(5)),
        Micros.toInstant((String) r.get(6)),
        Long.parseLong((String) r.get(7)),
        (String) r.get(8));
  }
}
