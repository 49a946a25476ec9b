package dev.keel.queue;

/** Whether a batch still has members to wait for. */
public enum BatchState {
  /** At least one member is PENDING or RUNNING (or none has ended yet). */
  OPEN,
  /** Every member ended (SUCCEEDED, FAILED or CANCELLED); the counts are final. */
  COMPLETED
}
