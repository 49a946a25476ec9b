package dev.keel.outbox;

/**
 * The external side effect the ledger guards (send an email, charge a card, call a webhook).
 * Returning normally means it happened; throwing means it did not (as far as the effect can tell)
 * and the entry becomes FAILED with the error, to be tried again by the next execute.
 *
 * @param <X> the checked exception the effect may throw; {@link DeliveryLedger#execute} rethrows it
 *     unwrapped
 */
@FunctionalInterface
public interface DeliveryEffect<X extends Exception> {

  DeliveryOutcome perform(DeliveryAttempt attempt) throws X;
}
