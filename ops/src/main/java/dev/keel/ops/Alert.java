package dev.keel.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.queue.spi.AlertState;
import dev.keel.queue.spi.StoredAlert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A stored alert as the console reads it: the backend's columns and what the console keeps in its
 * body. Times in the history are the console's clock; {@code openedAt} and {@code updatedAt} the
 * backend's.
 */
public record Alert(
    UUID id,
    String rule,
    String subject,
    String tenant,
    AlertState state,
    String severity,
    String message,
    Instant openedAt,
    Instant updatedAt,
    long version,
    Instant lastSeenAt,
    String acknowledgedBy,
    Instant acknowledgedAt,
    Instant snoozedUntil,
    Instant resolvedAt,
    String resolvedBy,
    List<Event> history) {

  /** The most history entries kept per alert (the oldest are dropped first). */
  public static final int MAX_HISTORY = 50;

  public Alert {
    history = List.copyOf(history);
  }

  /** One change: when, to which state, by whom ({@code keel} for the evaluator), and why. */
  public record Event(Instant at, AlertState state, String by, String note) {}

  /** The body of a new alert. */
  static String newBody(ObjectMapper json, AlertCondition c, Instant now) {
    ObjectNode b = json.createObjectNode();
    b.put("severity", c.severity());
    b.put("message", c.message());
    b.put("lastSeenAt", now.toString());
    ArrayNode h = b.putArray("history");
    event(h, now, AlertState.OPEN, "keel", c.message());
    return b.toString();
  }

  /** This alert's body with changes; {@code event} (may be null) is appended to the history. */
  String body(ObjectMapper json, Event event) {
    ObjectNode b = json.createObjectNode();
    b.put("severity", severity);
    b.put("message", message);
    put(b, "lastSeenAt", lastSeenAt);
    b.put("acknowledgedBy", acknowledgedBy);
    put(b, "acknowledgedAt", acknowledgedAt);
    put(b, "snoozedUntil", snoozedUntil);
    put(b, "resolvedAt", resolvedAt);
    b.put("resolvedBy", resolvedBy);
    ArrayNode h = b.putArray("history");
    List<Event> all = new ArrayList<>(history);
    if (event != null) {
      all.add(event);
    }
    for (Event e : all.subList(Math.max(0, all.size() - MAX_HISTORY), all.size())) {
      event(h, e.at(), e.state(), e.by(), e.note());
    }
    return b.toString();
  }

  static Alert read(ObjectMapper json, StoredAlert s) {
    JsonNode b;
    try {
      b = json.readTree(s.body());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("alert " + s.id() + " has a body that is not JSON", e);
    }
    List<Event> history = new ArrayList<>();
    for (JsonNode e : b.path("history")) {
      history.add(
          new Event(
              instant(e, "at"),
              AlertState.valueOf(e.path("state").asText("OPEN")),
              text(e, "by"),
              text(e, "note")));
    }
    return new Alert(
        s.id(),
        s.rule(),
        s.subject(),
        s.tenant(),
        s.state(),
        b.path("severity").asText("warning"),
        b.path("message").asText(""),
        s.openedAt(),
        s.updatedAt(),
        s.version(),
        instant(b, "lastSeenAt"),
        text(b, "acknowledgedBy"),
        instant(b, "acknowledgedAt"),
        instant(b, "snoozedUntil"),
        instant(b, "resolvedAt"),
        text(b, "resolvedBy"),
        history);
  }

  Alert withState(AlertState s) {
    return new Alert(
        id,
        rule,
        subject,
        tenant,
        s,
        severity,
        message,
        openedAt,
        updatedAt,
        version,
        lastSeenAt,
        acknowledgedBy,
        acknowledgedAt,
        snoozedUntil,
        resolvedAt,
        resolvedBy,
        history);
  }

  Alert seen(String newMessage, String newSeverity, Instant at) {
    return new Alert(
        id,
        rule,
        subject,
        tenant,
        state,
        newSeverity,
        newMessage,
        openedAt,
        updatedAt,
        version,
        at,
        acknowledgedBy,
        acknowledgedAt,
        snoozedUntil,
        resolvedAt,
        resolvedBy,
        history);
  }

  Alert acknowledged(String by, Instant at) {
    return new Alert(
        id,
        rule,
        subject,
        tenant,
        AlertState.ACKNOWLEDGED,
        severity,
        message,
        openedAt,
        updatedAt,
        version,
        lastSeenAt,
        by,
        at,
        null,
        resolvedAt,
        resolvedBy,
        history);
  }

  Alert snoozed(Instant until) {
    return new Alert(
        id,
        rule,
        subject,
        tenant,
        AlertState.SNOOZED,
        severity,
        message,
        openedAt,
        updatedAt,
        version,
        lastSeenAt,
        acknowledgedBy,
        acknowledgedAt,
        until,
        resolvedAt,
        resolvedBy,
        history);
  }

  Alert reopened() {
    return new Alert(
        id,
        rule,
        subject,
        tenant,
        AlertState.OPEN,
        severity,
        message,
        openedAt,
        updatedAt,
        version,
        lastSeenAt,
        acknowledgedBy,
        acknowledgedAt,
        null,
        resolvedAt,
        resolvedBy,
        history);
  }

  Alert resolved(String by, Instant at) {
    return new Alert(
        id,
        rule,
        subject,
        tenant,
        AlertState.RESOLVED,
        severity,
        message,
        openedAt,
        updatedAt,
        version,
        lastSeenAt,
        acknowledgedBy,
        acknowledgedAt,
        null,
        at,
        by,
        history);
  }

  /** As JSON for the API. */
  ObjectNode toJson(ObjectMapper json) {
    ObjectNode o = json.createObjectNode();
    o.put("id", id.toString());
    o.put("rule", rule);
    o.put("subject", subject);
    o.put("tenant", tenant);
    o.put("state", state.name());
    o.put("severity", severity);
    o.put("message", message);
    put(o, "openedAt", openedAt);
    put(o, "updatedAt", updatedAt);
    put(o, "lastSeenAt", lastSeenAt);
    o.put("acknowledgedBy", acknowledgedBy);
    put(o, "acknowledgedAt", acknowledgedAt);
    put(o, "snoozedUntil", snoozedUntil);
    put(o, "resolvedAt", resolvedAt);
    o.put("resolvedBy", resolvedBy);
    ArrayNode h = o.putArray("history");
    for (Event e : history) {
      event(h, e.at(), e.state(), e.by(), e.note());
    }
    return o;
  }

  private static void event(ArrayNode h, Instant at, AlertState s, String by, String note) {
    ObjectNode e = h.addObject();
    put(e, "at", at);
    e.put("state", s.name());
    e.put("by", by);
    e.put("note", note);
  }

  private static void put(ObjectNode o, String k, Instant v) {
    if (v == null) {
      o.putNull(k);
    } else {
      o.put(k, v.toString());
    }
  }

  private static Instant instant(JsonNode n, String k) {
    JsonNode v = n.get(k);
    return v == null || v.isNull() ? null : Instant.parse(v.asText());
  }

  private static String text(JsonNode n, String k) {
    JsonNode v = n.get(k);
    return v == null || v.isNull() ? null : v.asText();
  }
}
