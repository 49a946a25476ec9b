package dev.keel.queue.steps;

/** The state of one step of a job. */
public enum StepState {
  /** The block returned (or the sleep ended, the signal arrived, the children ended). */
  COMPLETED,
  /** The block threw on its last try; a later attempt runs it again. */
  FAILED,
  /** A durable sleep in progress. */
  SLEEPING,
  /** Waiting for a signal or for child jobs. */
  WAITING,
  /** The signal did not arrive in time. */
  TIMED_OUT,
  /** Its compensation threw and will be tried again. */
  COMPENSATING,
  /** Its compensation ran and returned. */
  COMPENSATED,
  /** Its compensation kept failing (or could not be reached); a person has to look. */
  COMPENSATION_FAILED;

  /** A step that finished its work: a replay returns its stored result. */
  public boolean isDone() {
    return this == COMPLETED
        || this == COMPENSATING
        || this == COMPENSATED
        || this == COMPENSATION_FAILED;
  }
}
