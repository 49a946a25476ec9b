package dev.keel.outbox.internal;

import dev.keel.outbox.RelayedMessage;

/**
 * A message a relay claimed, with the fencing token its later updates must present.
 *
 * @param message what the sink sees
 * @param token the lease token of this claim
 */
public record ClaimedMessage(RelayedMessage message, long token) {}
