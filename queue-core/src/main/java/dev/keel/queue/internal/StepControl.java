package dev.keel.queue.internal;

/**
 * Unwinds a handler at a step boundary: the job suspends (sleep, signal wait), or a replay in
 * compensation mode reached a step that never completed, or the lease was lost. The engine reads
 * what to do from the {@link StepRunner}, not from this exception, so a handler that catches it
 * changes nothing.
 */
final class StepControl extends RuntimeException {
  StepControl(String message) {
    super(message, null, false, false);
  }
}
