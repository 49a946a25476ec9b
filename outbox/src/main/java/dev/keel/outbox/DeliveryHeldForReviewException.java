package dev.keel.outbox;

import dev.keel.queue.KeelException;

/**
 * Under {@link InFlightPolicy#HOLD_FOR_REVIEW}: the entry was left SENDING by an interrupted send,
 * so the effect may or may not have happened. It was not called again; the entry stays SENDING
 * until a person settles it with {@link DeliveryLedger#resolveAsSent} or {@link
 * DeliveryLedger#resolveAsNotSent}.
 */
public class DeliveryHeldForReviewException extends KeelException {
  private final LedgerEntry entry;

  public DeliveryHeldForReviewException(LedgerEntry entry) {
    super(
        "ledger key '"
            + entry.key()
            + "' of tenant '"
            + entry.tenant()
            + "' was interrupted while SENDING (attempt "
            + entry.attempts()
            + ", provider key "
            + entry.providerKey()
            + "); held for review, not re-sent");
    this.entry = entry;
  }

  public LedgerEntry entry() {
    return entry;
  }
}
