package dev.keel.outbox.internal;

import dev.keel.outbox.DeliveryOutcome;
import dev.keel.outbox.LedgerEntry;
import dev.keel.outbox.LedgerState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The delivery ledger's statements. */
public final class LedgerStore {
  private final Database db;

  public LedgerStore(Database db) {
    this.db = db;
  }

  public Database db() {
    return db;
  }

  private static Map<String, Object> key(String tenant, String key) {
    Map<String, Object> p = new HashMap<>();
    p.put("tenant", tenant);
    p.put("key", key);
    return p;
  }

  /** Creates the entry if missing, then reads it under a row lock (in the caller's transaction). */
  public LedgerEntry insertAndLock(
      Connection c, String tenant, String key, String hash, String providerKey)
      throws SQLException {
    Map<String, Object> p = key(tenant, key);
    p.put("hash", hash);
    p.put("providerKey", providerKey);
    Jdbc.update(c, db.sql().ledgerInsert, p);
    return Jdbc.query(c, db.sql().ledgerLock, key(tenant, key), LedgerStore::entry).get(0);
  }

  /** Moves a locked entry to SENDING; its new lease token and attempt count. */
  public long[] startSending(Connection c, String tenant, String key, long leaseMillis)
      throws SQLException {
    Map<String, Object> p = key(tenant, key);
    p.put("leaseMillis", leaseMillis);
    return Jdbc.query(
            c,
            db.sql().ledgerStartSending,
            p,
            rs -> new long[] {rs.getLong("lease_token"), rs.getInt("attempts")})
        .get(0);
  }

  /** Stores the outcome if this sender still holds the lease. */
  public boolean markSent(String tenant, String key, long token, DeliveryOutcome outcome) {
    Map<String, Object> p = key(tenant, key);
    p.put("token", token);
    p.put("providerMessageId", outcome.providerMessageId());
    p.put("responseSummary", outcome.responseSummary());
    return db.autoCommit("recording a sent effect", c -> Jdbc.update(c, db.sql().ledgerMarkSent, p))
        == 1;
  }

  /** Stores a failure if this sender still holds the lease. */
  public boolean markFailed(String tenant, String key, long token, String error) {
    Map<String, Object> p = key(tenant, key);
    p.put("token", token);
    p.put("error", error);
    return db.autoCommit(
            "recording a failed effect", c -> Jdbc.update(c, db.sql().ledgerMarkFailed, p))
        == 1;
  }

  public Optional<LedgerEntry> find(String tenant, String key) {
    return db
        .autoCommit(
            "reading a ledger entry",
            c -> Jdbc.query(c, db.sql().ledgerFind, key(tenant, key), LedgerStore::entry))
        .stream()
        .findFirst();
  }

  public List<LedgerEntry> stuck(int limit) {
    return db.autoCommit(
        "listing interrupted sends",
        c -> Jdbc.query(c, db.sql().ledgerStuck, Map.of("limit", limit), LedgerStore::entry));
  }

  public boolean resolveSent(String tenant, String key, DeliveryOutcome outcome) {
    Map<String, Object> p = key(tenant, key);
    p.put("providerMessageId", outcome.providerMessageId());
    p.put("responseSummary", outcome.responseSummary());
    return db.autoCommit(
            "resolving an entry as sent", c -> Jdbc.update(c, db.sql().ledgerResolveSent, p))
        == 1;
  }

  public boolean resolveNotSent(String tenant, String key, String note) {
    Map<String, Object> p = key(tenant, key);
    p.put("note", note);
    return db.autoCommit(
            "resolving an entry as not sent", c -> Jdbc.update(c, db.sql().ledgerResolveNotSent, p))
        == 1;
  }

  static LedgerEntry entry(ResultSet rs) throws SQLException {
    return new LedgerEntry(
        rs.getString("tenant"),
        rs.getString("ledger_key"),
        rs.getString("payload_hash"),
        LedgerState.valueOf(rs.getString("state")),
        rs.getString("provider_key"),
        rs.getInt("attempts"),
        RelayStore.instant(rs, "lease_expires_at"),
        rs.getBoolean("lease_expired"),
        rs.getString("provider_message_id"),
        rs.getString("response_summary"),
        rs.getString("last_error"),
        RelayStore.instant(rs, "created_at"),
        RelayStore.instant(rs, "updated_at"),
        RelayStore.instant(rs, "sent_at"));
  }
}
