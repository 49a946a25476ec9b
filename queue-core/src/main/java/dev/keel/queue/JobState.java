package dev.keel.queue;

/**
 * The state of a job. {@code PENDING} covers both "due" and "scheduled for later" ({@link
 * Job#runAt()} says which); only a claim moves a job to {@code RUNNING}; the other three are
 * terminal.
 */
public enum JobState {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  /** True for SUCCEEDED, FAILED and CANCELLED: no worker will touch the job again. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  /** True for PENDING and RUNNING: the states in which an idempotency key is always held. */
  public boolean isActive() {
    return !isTerminal();
  }
}
