package dev.keel.outbox;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A committed message handed to an {@link OutboxSink} by a relay.
 *
 * <p>Delivery is at least once: after a relay crash, a lost lease or a sink failure the same
 * message (same {@link #id()}) is published again, so sinks use the id as their idempotency key.
 *
 * @param id unique and stable across redeliveries: the idempotency key
 * @param seq the message's position in its key's order
 * @param attempt 1 for the first publish attempt
 * @param createdAt when the recording transaction started (database clock)
 */
public record RelayedMessage(
    UUID id,
    long seq,
    String tenant,
    String key,
    String type,
    String payload,
    Map<String, String> headers,
    int attempt,
    Instant createdAt) {}
