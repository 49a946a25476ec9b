package dev.keel.outbox;

/**
 * What the effect is given for one attempt.
 *
 * @param tenant the entry's tenant
 * @param key the ledger key
 * @param providerKey the idempotency key to hand to the provider: the same for every attempt of
 *     this entry, so a provider that deduplicates by it performs the effect once
 * @param attempt 1 for the first attempt of the entry
 * @param resumedAfterInterruption true when an earlier attempt was left SENDING (a crash) and this
 *     attempt re-sends under {@link InFlightPolicy#RESEND_WITH_SAME_PROVIDER_KEY}
 */
public record DeliveryAttempt(
    String tenant, String key, String providerKey, int attempt, boolean resumedAfterInterruption) {}
