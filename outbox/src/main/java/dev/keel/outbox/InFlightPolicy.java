package dev.keel.outbox;

/**
 * What {@link DeliveryLedger#execute} does with an entry found SENDING past its lease: the process
 * that was sending crashed (or stalled) between starting the effect and recording its outcome, so
 * nobody knows whether the effect happened. There is deliberately no default and no "just send
 * again".
 */
public enum InFlightPolicy {
  /**
   * Call the effect again with the same {@link DeliveryAttempt#providerKey() provider idempotency
   * key} (and {@link DeliveryAttempt#resumedAfterInterruption()} true). Safe when the provider
   * deduplicates by that key (Stripe, most email APIs, a Keel queue).
   */
  RESEND_WITH_SAME_PROVIDER_KEY,

  /**
   * Refuse with {@link DeliveryHeldForReviewException} and leave the entry SENDING for a person,
   * who settles it with {@link DeliveryLedger#resolveAsSent} or {@link
   * DeliveryLedger#resolveAsNotSent}. For providers without idempotency keys.
   */
  HOLD_FOR_REVIEW
}
