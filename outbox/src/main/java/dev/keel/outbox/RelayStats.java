package dev.keel.outbox;

/**
 * What one relay did since it was built.
 *
 * @param claimed messages claimed (each claim counts, also re-claims after a failure)
 * @param delivered messages marked DELIVERED by this relay
 * @param retried publish failures that left the message PENDING for another attempt
 * @param parked publish failures that used the last attempt (message now FAILED)
 * @param leaseLost outcomes this relay could not store because its lease had been taken over
 * @param released claimed messages given back unpublished at shutdown
 * @param cleaned delivered messages deleted after their retention
 */
public record RelayStats(
    long claimed,
    long delivered,
    long retried,
    long parked,
    long leaseLost,
    long released,
    long cleaned) {}
