package dev.keel.queue;

/**
 * A job request (or a query or drain option) broke a rule. Thrown before anything is written;
 * {@link #field()} names the field and {@link #rule()} the rule.
 */
public class InvalidJobException extends InvalidInputException {

  public InvalidJobException(String field, String rule) {
    super(field, rule);
  }

  /** The same failure, with the field prefixed (for an element of a batch). */
  public InvalidJobException within(String prefix) {
    return new InvalidJobException(prefix + "." + field(), rule());
  }
}
