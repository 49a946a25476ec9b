package dev.keel.outbox;

import dev.keel.queue.KeelException;

/**
 * Another caller is performing this entry's effect right now (SENDING, lease still valid). The
 * effect was not called; try again later to get its outcome (a Keel job simply retries).
 */
public class DeliveryInProgressException extends KeelException {
  private final LedgerEntry entry;

  public DeliveryInProgressException(LedgerEntry entry) {
    super(
        "ledger key '"
            + entry.key()
            + "' of tenant '"
            + entry.tenant()
            + "' is being sent by another caller (lease until "
            + entry.leaseExpiresAt()
            + ")");
    this.entry = entry;
  }

  public LedgerEntry entry() {
    return entry;
  }
}
