package dev.keel.queue.steps;

/**
 * The block of a step: runs at most until it returns once; its result is stored and returned by
 * every later attempt instead of running it again.
 *
 * @param <R> the result type, stored as JSON (null allowed)
 */
@FunctionalInterface
public interface StepAction<R> {
  R run() throws Exception;
}
