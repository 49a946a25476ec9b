package dev.keel.queue.steps;

/**
 * Undoes a completed step, given the result the step stored. Runs when the job fails for good or is
 * cancelled, in reverse order of the steps; retried with the job type's backoff until it returns,
 * up to {@link StepLimits#COMPENSATION_ATTEMPTS} times, and never again once it returned.
 *
 * @param <R> the step's result type
 */
@FunctionalInterface
public interface Compensation<R> {
  void compensate(R result) throws Exception;
}
