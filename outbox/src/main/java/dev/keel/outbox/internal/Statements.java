package dev.keel.outbox.internal;

import dev.keel.queue.postgres.internal.SchemaName;
import dev.keel.queue.postgres.internal.SqlStatement;

/**
 * Every SQL statement of the outbox and the ledger, read once from {@code
 * dev/keel/outbox/sql/*.sql} with the schema substituted.
 */
public final class Statements {
  private static final String SQL_DIR = "/dev/keel/outbox/sql/";

  public final SqlStatement record;
  public final SqlStatement claim;
  public final SqlStatement claimHeads;
  public final SqlStatement markDelivered;
  public final SqlStatement markFailed;
  public final SqlStatement release;
  public final SqlStatement redrive;
  public final SqlStatement redriveTenant;
  public final SqlStatement countFailed;
  public final SqlStatement deleteDelivered;
  public final SqlStatement find;
  public final SqlStatement ledgerInsert;
  public final SqlStatement ledgerLock;
  public final SqlStatement ledgerFind;
  public final SqlStatement ledgerStuck;
  public final SqlStatement ledgerStartSending;
  public final SqlStatement ledgerMarkSent;
  public final SqlStatement ledgerMarkFailed;
  public final SqlStatement ledgerResolveSent;
  public final SqlStatement ledgerResolveNotSent;

  public Statements(SchemaName schema) {
    record = load(schema, "record_message");
    claim = load(schema, "claim_messages");
    claimHeads = load(schema, "claim_heads");
    markDelivered = load(schema, "mark_delivered");
    markFailed = load(schema, "mark_failed");
    release = load(schema, "release_messages");
    redrive = load(schema, "redrive_message");
    redriveTenant = load(schema, "redrive_tenant");
    countFailed = load(schema, "count_failed");
    deleteDelivered = load(schema, "delete_delivered");
    find = load(schema, "find_message");
    ledgerInsert = load(schema, "ledger_insert");
    ledgerLock = load(schema, "ledger_lock");
    ledgerFind = load(schema, "ledger_find");
    ledgerStuck = load(schema, "ledger_stuck");
    ledgerStartSending = load(schema, "ledger_start_sending");
    ledgerMarkSent = load(schema, "ledger_mark_sent");
    ledgerMarkFailed = load(schema, "ledger_mark_failed");
    ledgerResolveSent = load(schema, "ledger_resolve_sent");
    ledgerResolveNotSent = load(schema, "ledger_resolve_not_sent");
  }

  private static SqlStatement load(SchemaName schema, String name) {
    return dev.keel.queue.postgres.internal.Statements.load(
        Statements.class, SQL_DIR, "outbox", schema, name);
  }
}
