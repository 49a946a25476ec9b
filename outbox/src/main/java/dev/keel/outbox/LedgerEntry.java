package dev.keel.outbox;

import java.time.Instant;

/**
 * A delivery ledger entry as stored now.
 *
 * @param payloadHash hex SHA-256 of the payload's canonical JSON
 * @param leaseExpired true if the entry is SENDING and its lease has passed (database clock): a
 *     send was interrupted and nobody knows whether it happened
 */
public record LedgerEntry(
    String tenant,
    String key,
    String payloadHash,
    LedgerState state,
    String providerKey,
    int attempts,
    Instant leaseExpiresAt,
    boolean leaseExpired,
    String providerMessageId,
    String responseSummary,
    String lastError,
    Instant createdAt,
    Instant updatedAt,
    Instant sentAt) {}
