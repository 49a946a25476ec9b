package dev.keel.outbox;

import dev.keel.queue.InvalidInputException;

/**
 * An {@link OutboxMessage} broke a rule; nothing was written. {@link #field()} names the field
 * (e.g. {@code "payload"}, {@code "headers[X-Trace]"}) and {@link #rule()} the rule.
 */
public class InvalidOutboxMessageException extends InvalidInputException {
  public InvalidOutboxMessageException(String field, String rule) {
    super(field, rule);
  }
}
