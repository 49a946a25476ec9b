package dev.keel.outbox;

import dev.keel.queue.KeelException;

/**
 * The effect finished, but this caller's SENDING lease had expired and the entry was taken over
 * (re-sent under {@link InFlightPolicy#RESEND_WITH_SAME_PROVIDER_KEY}, or settled by a person), so
 * this outcome was not stored. Raise the ledger's sending lease above the effect's timeout.
 */
public class LedgerLeaseLostException extends KeelException {
  private final transient DeliveryOutcome outcome;

  public LedgerLeaseLostException(String tenant, String key, DeliveryOutcome outcome) {
    super(
        "ledger key '"
            + key
            + "' of tenant '"
            + tenant
            + "': the effect finished after this caller's sending lease was taken over; its"
            + " outcome was not stored");
    this.outcome = outcome;
  }

  /** What the effect reported, for logging. */
  public DeliveryOutcome outcome() {
    return outcome;
  }
}
