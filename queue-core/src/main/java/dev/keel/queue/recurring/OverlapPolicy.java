package dev.keel.queue.recurring;

/**
 * What a schedule does at a fire time while the job of its previous fire is still PENDING or
 * RUNNING. The check and the fire are one atomic step in the backend.
 */
public enum OverlapPolicy {
  /** Default: no job for this fire time; the schedule moves on to its next fire time. */
  SKIP,
  /**
   * No job yet: the fire time stays due and fires once the previous job has finished (the scheduler
   * looks again about once a second). Fire times that pass meanwhile follow the schedule's {@link
   * MisfirePolicy} when it finally fires.
   */
  WAIT,
  /** Fire anyway: jobs of one schedule may run side by side. */
  ALLOW
}
