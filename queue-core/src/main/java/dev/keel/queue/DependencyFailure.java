package dev.keel.queue;

/**
 * What happens to a job waiting for its dependencies ({@link JobRequest#dependsOn}) when one of
 * them ends FAILED or CANCELLED, or no longer exists: the waiting job will never run, and this says
 * which terminal state it takes. Either way its own dependents follow it.
 */
public enum DependencyFailure {
  /** The waiting job becomes CANCELLED (the default). */
  CANCEL,
  /** The waiting job becomes FAILED, so it shows among failures and can be re-driven by hand. */
  FAIL
}
