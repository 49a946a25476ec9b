package dev.keel.outbox;

/**
 * The result of {@link DeliveryLedger#execute}.
 *
 * @param outcome what the effect reported (now, or when it first succeeded)
 * @param replayed true if the effect had already succeeded and was not called again
 * @param attempts attempts made for this entry so far
 */
public record DeliveryReceipt(
    String tenant, String key, DeliveryOutcome outcome, boolean replayed, int attempts) {}
