package dev.keel.outbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.outbox.internal.Database;
import dev.keel.outbox.internal.Headers;
import dev.keel.outbox.internal.MessageIds;
import dev.keel.outbox.internal.MessageValidator;
import dev.keel.outbox.internal.MessageWriter;
import dev.keel.outbox.internal.RelayStore;
import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.Limits;
import dev.keel.queue.postgres.internal.SchemaName;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;

/**
 * The transactional outbox on PostgreSQL: {@link #record(Handle, OutboxMessage) record} a message
 * in the same transaction as the business change it announces; a {@link #relay(OutboxSink) relay}
 * publishes it after commit. If the transaction rolls back, the message never existed.
 *
 * <pre>{@code
 * Outbox outbox = Outbox.builder().dataSource(ds).schema("app_outbox").build();
 * outbox.migrate();
 * jdbi.useTransaction(h -> {
 *   h.execute("INSERT INTO users ...");
 *   outbox.record(h, OutboxMessage.of("user.created", "user-42", "{\"id\":42}"));
 * });
 * try (OutboxRelay relay = outbox.relay(KeelQueueSink.of(keel.client())).build().start()) { ... }
 * }</pre>
 *
 * Thread-safe; build one per schema.
 */
public final class Outbox {
  /** The schema used when none is configured. */
  public static final String DEFAULT_SCHEMA = "keel_outbox";

  private final Database db;
  private final MessageValidator validator;
  private final MessageWriter writer;
  private final RelayStore store;
  private final ObjectMapper mapper;

  private Outbox(Builder b) {
    this.mapper = b.mapper != null ? b.mapper : new ObjectMapper();
    this.db =
        new Database(b.dataSource, new SchemaName(b.schema != null ? b.schema : DEFAULT_SCHEMA));
    Headers headers = new Headers(mapper);
    this.validator =
        new MessageValidator(
            mapper,
            b.maxPayloadBytes != null ? b.maxPayloadBytes : Limits.DEFAULT_MAX_PAYLOAD_BYTES);
    this.writer =
        new MessageWriter(
            db.sql(),
            db.schema(),
            headers,
            new MessageIds(b.clock != null ? b.clock : InstantSource.system()));
    this.store = new RelayStore(db, headers);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The schema holding the outbox and ledger tables. */
  public String schema() {
    return db.schema().value();
  }

  /**
   * Creates the schema and applies the shipped migrations (see {@link OutboxMigrator}).
   *
   * @return the versions applied now
   */
  public List<Integer> migrate() {
    return OutboxMigrator.of(db.dataSource(), schema()).migrate();
  }

  /**
   * Writes {@code message} in the handle's current transaction (or on its own if the handle is in
   * autocommit) and queues a wake-up for relays, delivered at commit. Concurrent recorders of the
   * same (tenant, key) wait for each other until commit, which keeps the key's order equal to
   * commit order.
   *
   * @return the message id
   * @throws InvalidOutboxMessageException a field breaks a rule; nothing was written
   * @throws BackendUnavailableException the insert failed (the caller's transaction is then aborted
   *     and must be rolled back)
   */
  public UUID record(Handle handle, OutboxMessage message) {
    Objects.requireNonNull(handle, "handle");
    return record(handle.getConnection(), message);
  }

  /** {@link #record(Handle, OutboxMessage)} on a plain JDBC connection. */
  public UUID record(Connection connection, OutboxMessage message) {
    Objects.requireNonNull(connection, "connection");
    validator.validate(message);
    try {
      return writer.write(connection, message);
    } catch (SQLException e) {
      throw db.unavailable("recording an outbox message", e);
    }
  }

  /** A builder for a relay publishing this outbox's messages to {@code sink}. */
  public OutboxRelay.Builder relay(OutboxSink sink) {
    return new OutboxRelay.Builder(db, store, sink);
  }

  /** A builder for a delivery ledger in this outbox's schema and data source. */
  public DeliveryLedger.Builder ledger() {
    return DeliveryLedger.builder()
        .dataSource(db.dataSource())
        .schema(schema())
        .objectMapper(mapper);
  }

  /** The message as stored now, if it exists (delivered messages vanish after retention). */
  public Optional<OutboxRecord> find(UUID id) {
    return store.find(Objects.requireNonNull(id, "id"));
  }

  /**
   * Re-drives a message parked as FAILED: PENDING again, due now, attempts counted from zero.
   *
   * @return false if no FAILED message has this id
   */
  public boolean redrive(UUID id) {
    return store.redrive(Objects.requireNonNull(id, "id"));
  }

  /** Re-drives every FAILED message of {@code tenant}; how many. */
  public int redriveFailed(String tenant) {
    return store.redriveTenant(Objects.requireNonNull(tenant, "tenant"));
  }

  /** How many messages are parked as FAILED, in every tenant (an index probe, not a scan). */
  public long countFailed() {
    return store.countFailed();
  }

  /**
   * Configures an {@link Outbox}. The data source is required; each option may be set once.
   * Defaults: schema {@value #DEFAULT_SCHEMA}, a plain {@link ObjectMapper}, payloads up to {@link
   * Limits#DEFAULT_MAX_PAYLOAD_BYTES}, the system clock (for message ids only).
   */
  public static final class Builder {
    private DataSource dataSource;
    private String schema;
    private ObjectMapper mapper;
    private Long maxPayloadBytes;
    private InstantSource clock;

    private Builder() {}

    private static void once(Object current, String name) {
      if (current != null) {
        throw new KeelConfigurationException("outbox." + name + " was already set to " + current);
      }
    }

    /** Connections for relays, the ledger and inspection (never used by {@code record}). */
    public Builder dataSource(DataSource dataSource) {
      once(this.dataSource, "dataSource");
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /** Schema name: lower-case letters, digits and {@code _}, at most 48 characters. */
    public Builder schema(String schema) {
      once(this.schema, "schema");
      this.schema = new SchemaName(schema).value();
      return this;
    }

    public Builder objectMapper(ObjectMapper mapper) {
      once(this.mapper, "objectMapper");
      this.mapper = Objects.requireNonNull(mapper, "objectMapper");
      return this;
    }

    /** Largest payload, in bytes of UTF-8 (2 to 64 MiB). */
    public Builder maxPayloadBytes(long bytes) {
      once(this.maxPayloadBytes, "maxPayloadBytes");
      if (bytes < 2 || bytes > 64L * 1024 * 1024) {
        throw new KeelConfigurationException(
            "outbox.maxPayloadBytes must be between 2 and 67108864, was " + bytes);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /** The clock for the time part of message ids (default: system). */
    public Builder clock(InstantSource clock) {
      once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @throws KeelConfigurationException if no data source was given
     */
    public Outbox build() {
      if (dataSource == null) {
        throw new KeelConfigurationException("outbox.dataSource is required");
      }
      return new Outbox(this);
    }
  }
}
