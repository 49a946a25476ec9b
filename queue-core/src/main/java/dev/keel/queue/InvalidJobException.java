package dev.keel.queue;

/**
 * Input broke a rule. Thrown before anything is written. {@link #field()} names the field and
 * {@link #rule()} the rule it broke, so a caller can map it to a 400 response field by field.
 */
public class InvalidJobException extends KeelException {
  private final String field;
  private final String rule;

  public InvalidJobException(String field, String rule) {
    super(field + ": " + rule);
    this.field = field;
    this.rule = rule;
  }

  /** The offending field, e.g. {@code "type"}, {@code "maxAttempts"}, {@code "jobs[3].payload"}. */
  public String field() {
    return field;
  }

  /** The rule in words, e.g. {@code "must not be blank"}. */
  public String rule() {
    return rule;
  }

  /** The same failure, with the field prefixed (for an element of a batch). */
  public InvalidJobException within(String prefix) {
    return new InvalidJobException(prefix + "." + field, rule);
  }
}
