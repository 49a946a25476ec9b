package dev.keel.outbox;

import dev.keel.queue.InvalidInputException;

/**
 * A ledger call's tenant, key or payload broke a rule; nothing was written. {@link #field()} names
 * the field.
 */
public class InvalidLedgerKeyException extends InvalidInputException {
  public InvalidLedgerKeyException(String field, String rule) {
    super(field, rule);
  }
}
