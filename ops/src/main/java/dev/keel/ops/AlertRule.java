package dev.keel.ops;

import java.util.List;

/**
 * A condition the console checks on every evaluation (by default every 30 seconds, on one node at a
 * time). Built-in rules are in {@link AlertRules}; an application may add its own.
 */
public interface AlertRule {
  /**
   * The rule's stable name (lower case, digits, '-'; at most 60): it keys the stored alerts, so
   * renaming a rule opens new alerts.
   */
  String name();

  /**
   * What is wrong now; empty when all is well. An alert whose subject is no longer reported is
   * resolved. A rule that throws is logged and its open alerts are left as they are.
   */
  List<AlertCondition> evaluate(AlertContext context);
}
