package dev.keel.outbox;

import dev.keel.queue.KeelException;

/**
 * A ledger call's tenant, key or payload broke a rule; nothing was written. {@link #field()} names
 * the field.
 */
public class InvalidLedgerKeyException extends KeelException {
  private final String field;

  public InvalidLedgerKeyException(String field, String rule) {
    super(field + ": " + rule);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
