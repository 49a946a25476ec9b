package dev.keel.queue.internal;

/** Why a running handler was asked to stop. */
public enum StopReason {
  /** The job's timeout passed: counts as a failed attempt. */
  TIMEOUT,
  /** This worker no longer holds the lease (rescued elsewhere, cancelled): result discarded. */
  LEASE_LOST,
  /** The worker's shutdown grace period ended. */
  SHUTDOWN
}
