package dev.keel.outbox.internal;

import dev.keel.outbox.OutboxRecord;
import dev.keel.outbox.OutboxState;
import dev.keel.outbox.RelayedMessage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The relay's statements: claim, settle (fenced), release, re-drive, clean up, find. */
public final class RelayStore {
  private final Database db;
  private final Headers headers;

  public RelayStore(Database db, Headers headers) {
    this.db = db;
    this.headers = headers;
  }

  /**
   * Claims up to {@code limit} messages, ordered by seq: first from a bounded window of the oldest
   * live messages (cheap), then, if that found too few, key by key (see claim_heads.sql), so a long
   * tail behind a blocked key can neither starve other keys nor make claims scan it.
   */
  public List<ClaimedMessage> claim(String owner, long leaseMillis, int limit) {
    int window = Math.max(1_000, 10 * limit);
    List<ClaimedMessage> claimed =
        new ArrayList<>(
            db.autoCommit(
                "claiming messages",
                c ->
                    Jdbc.query(
                        c,
                        db.sql().claim,
                        Map.of(
                            "owner", owner,
                            "leaseMillis", leaseMillis,
                            "limit", limit,
                            "window", window),
                        this::claimedRow)));
    if (claimed.size() < limit) {
      claimed.addAll(
          db.autoCommit(
              "claiming messages by key",
              c ->
                  Jdbc.query(
                      c,
                      db.sql().claimHeads,
                      Map.of(
                          "owner", owner,
                          "leaseMillis", leaseMillis,
                          "limit", limit - claimed.size()),
                      this::claimedRow)));
    }
    // RETURNING gives no order; publish (and so log) in seq order.
    claimed.sort(Comparator.comparingLong(m -> m.message().seq()));
    return claimed;
  }

  private ClaimedMessage claimedRow(ResultSet rs) throws SQLException {
    RelayedMessage m =
        new RelayedMessage(
            rs.getObject("id", UUID.class),
            rs.getLong("seq"),
            rs.getString("tenant"),
            rs.getString("msg_key"),
            rs.getString("type"),
            rs.getString("payload"),
            headers.fromJson(rs.getString("headers")),
            rs.getInt("attempts"),
            instant(rs, "created_at"));
    return new ClaimedMessage(m, rs.getLong("lease_token"));
  }

  /** A delivered message and its receipt text. */
  public record Delivered(UUID id, long token, String receipt) {}

  /** Marks messages delivered, fenced; the ids actually marked. */
  public Set<UUID> markDelivered(List<Delivered> delivered) {
    if (delivered.isEmpty()) {
      return Set.of();
    }
    Object[] ids = delivered.stream().map(Delivered::id).toArray();
    Object[] tokens = delivered.stream().map(Delivered::token).toArray();
    Object[] receipts = delivered.stream().map(Delivered::receipt).toArray();
    List<UUID> marked =
        db.autoCommit(
            "marking messages delivered",
            c ->
                Jdbc.query(
                    c,
                    db.sql().markDelivered,
                    Map.of(
                        "ids", new SqlArray("uuid", ids),
                        "tokens", new SqlArray("bigint", tokens),
                        "receipts", new SqlArray("text", receipts)),
                    rs -> rs.getObject(1, UUID.class)));
    return new HashSet<>(marked);
  }

  /**
   * Records a failed publish, fenced.
   *
   * @return the state the message is in now (PENDING or FAILED), empty if the lease was lost
   */
  public Optional<OutboxState> markFailed(
      UUID id, long token, int maxAttempts, long delayMillis, String error) {
    List<OutboxState> states =
        db.autoCommit(
            "recording a failed publish",
            c ->
                Jdbc.query(
                    c,
                    db.sql().markFailed,
                    Map.of(
                        "id", id,
                        "token", token,
                        "maxAttempts", maxAttempts,
                        "delayMillis", delayMillis,
                        "error", error),
                    rs -> OutboxState.valueOf(rs.getString(1))));
    return states.stream().findFirst();
  }

  /** Returns claimed but unpublished messages to PENDING without using an attempt. */
  public int release(List<ClaimedMessage> messages) {
    if (messages.isEmpty()) {
      return 0;
    }
    Object[] ids = messages.stream().map(m -> m.message().id()).toArray();
    Object[] tokens = messages.stream().map(ClaimedMessage::token).toArray();
    return db.autoCommit(
            "releasing messages",
            c ->
                Jdbc.query(
                    c,
                    db.sql().release,
                    Map.of(
                        "ids", new SqlArray("uuid", ids), "tokens", new SqlArray("bigint", tokens)),
                    rs -> rs.getObject(1, UUID.class)))
        .size();
  }

  /** Deletes one bounded batch of delivered messages older than the retention. */
  public int deleteDelivered(long retentionMillis, int limit) {
    return db.autoCommit(
        "deleting delivered messages",
        c ->
            Jdbc.update(
                c,
                db.sql().deleteDelivered,
                Map.of("retentionMillis", retentionMillis, "limit", limit)));
  }

  public boolean redrive(UUID id) {
    return !db.autoCommit(
            "re-driving a message",
            c -> Jdbc.query(c, db.sql().redrive, Map.of("id", id), rs -> rs.getObject(1)))
        .isEmpty();
  }

  public int redriveTenant(String tenant) {
    return db.autoCommit(
            "re-driving failed messages",
            c ->
                Jdbc.query(
                    c, db.sql().redriveTenant, Map.of("tenant", tenant), rs -> rs.getObject(1)))
        .size();
  }

  public long countFailed() {
    return db.autoCommit(
            "counting failed messages",
            c -> Jdbc.query(c, db.sql().countFailed, Map.of(), rs -> rs.getLong(1)))
        .get(0);
  }

  public Optional<OutboxRecord> find(UUID id) {
    return db
        .autoCommit(
            "reading a message", c -> Jdbc.query(c, db.sql().find, Map.of("id", id), this::record))
        .stream()
        .findFirst();
  }

  private OutboxRecord record(ResultSet rs) throws SQLException {
    return new OutboxRecord(
        rs.getObject("id", UUID.class),
        rs.getLong("seq"),
        rs.getString("tenant"),
        rs.getString("msg_key"),
        rs.getString("type"),
        rs.getString("payload"),
        headers.fromJson(rs.getString("headers")),
        OutboxState.valueOf(rs.getString("state")),
        rs.getInt("attempts"),
        instant(rs, "available_at"),
        instant(rs, "created_at"),
        instant(rs, "delivered_at"),
        instant(rs, "failed_at"),
        rs.getString("last_error"),
        rs.getString("receipt"),
        rs.getString("lease_owner"),
        rs.getLong("lease_token"),
        instant(rs, "lease_expires_at"));
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
