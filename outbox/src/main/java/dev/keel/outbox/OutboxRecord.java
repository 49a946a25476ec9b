package dev.keel.outbox;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A stored message as it is now, for inspection and tests.
 *
 * @param id the message id (also the idempotency key handed to sinks)
 * @param seq the global sequence number; the order of messages within a key
 * @param state where the message is
 * @param attempts publish attempts started (claims), reset by a re-drive
 * @param availableAt not claimed before this (database clock): the retry time after a failure
 * @param lastError the last publish failure, or null
 * @param receipt what the sink reported on delivery, or null
 * @param leaseToken the fencing token of the latest claim (0 if never claimed)
 */
public record OutboxRecord(
    UUID id,
    long seq,
    String tenant,
    String key,
    String type,
    String payload,
    Map<String, String> headers,
    OutboxState state,
    int attempts,
    Instant availableAt,
    Instant createdAt,
    Instant deliveredAt,
    Instant failedAt,
    String lastError,
    String receipt,
    String leaseOwner,
    long leaseToken,
    Instant leaseExpiresAt) {}
