package dev.keel.outbox;

import dev.keel.queue.KeelException;

/**
 * An {@link OutboxMessage} broke a rule; nothing was written. {@link #field()} names the field
 * (e.g. {@code "payload"}, {@code "headers[X-Trace]"}) and {@link #rule()} the rule.
 */
public class InvalidOutboxMessageException extends KeelException {
  private final String field;
  private final String rule;

  public InvalidOutboxMessageException(String field, String rule) {
    super(field + ": " + rule);
    this.field = field;
    this.rule = rule;
  }

  public String field() {
    return field;
  }

  public String rule() {
    return rule;
  }
}
