package dev.keel.spring;

/**
 * A {@code keel.*} property has a value Keel cannot use. {@link KeelFailureAnalyzer} turns it into
 * a startup failure report that names the property, the value and the rule.
 */
public class KeelPropertyException extends IllegalStateException {
  private static final long serialVersionUID = 1L;
  private final String property;
  private final String value;
  private final String rule;

  public KeelPropertyException(String property, Object value, String rule, Throwable cause) {
    super(property + " " + rule + (value == null ? "" : " (was '" + value + "')"), cause);
    this.property = property;
    this.value = value == null ? null : String.valueOf(value);
    this.rule = rule;
  }

  public KeelPropertyException(String property, Object value, String rule) {
    this(property, value, rule, null);
  }

  /** The property's name, e.g. {@code keel.worker.queues.default}. */
  public String property() {
    return property;
  }

  /** Its value as configured, or null when it is missing. */
  public String value() {
    return value;
  }

  /** What is wrong with it. */
  public String rule() {
    return rule;
  }
}
