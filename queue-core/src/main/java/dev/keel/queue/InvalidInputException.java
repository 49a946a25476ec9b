package dev.keel.queue;

/**
 * Input broke a rule; thrown before anything is written. {@link #field()} names the field and
 * {@link #rule()} the rule it broke, so a caller can map it to a 400 response field by field.
 * Keel's modules throw subclasses that say what the input was (a job, an outbox message, …).
 */
public class InvalidInputException extends KeelException {
  private final String field;
  private final String rule;

  public InvalidInputException(String field, String rule) {
    super(field + ": " + rule);
    this.field = field;
    this.rule = rule;
  }

  /** The offending field, e.g. {@code "type"}, {@code "jobs[3].payload"}, {@code "headers[X]"}. */
  public String field() {
    return field;
  }

  /** The rule in words, e.g. {@code "must not be blank"}. */
  public String rule() {
    return rule;
  }
}
