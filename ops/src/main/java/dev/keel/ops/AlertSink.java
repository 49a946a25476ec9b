package dev.keel.ops;

/**
 * Where alert notifications go. Called on the evaluator's thread once per change (never twice for
 * one change, even with several nodes evaluating). A sink that throws is logged with its stack
 * trace; the alert is stored either way.
 */
@FunctionalInterface
public interface AlertSink {
  void notify(AlertNotification notification) throws Exception;
}
