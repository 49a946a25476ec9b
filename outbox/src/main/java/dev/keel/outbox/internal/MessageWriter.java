package dev.keel.outbox.internal;

import dev.keel.outbox.OutboxMessage;
import dev.keel.queue.postgres.internal.SchemaName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Inserts a validated message on the caller's connection, inside the caller's transaction. */
public final class MessageWriter {
  private final Statements sql;
  private final SchemaName schema;
  private final Headers headers;
  private final MessageIds ids;

  public MessageWriter(Statements sql, SchemaName schema, Headers headers, MessageIds ids) {
    this.sql = sql;
    this.schema = schema;
    this.headers = headers;
    this.ids = ids;
  }

  /** Writes {@code m} (already validated) and queues the wake-up notification; its id. */
  public UUID write(Connection c, OutboxMessage m) throws SQLException {
    UUID id = ids.next();
    Map<String, Object> p = new HashMap<>();
    p.put("id", id);
    p.put("tenant", m.tenant());
    p.put("msgKey", m.key());
    p.put("type", m.type());
    p.put("payload", m.payload());
    p.put("headers", headers.toJson(m.headers()));
    p.put("channel", OutboxChannel.of(schema));
    if (Jdbc.query(c, sql.record, p, rs -> rs.getLong(1)).size() != 1) {
      throw new IllegalStateException("record_message.sql inserted no row");
    }
    return id;
  }
}
