package dev.keel.queue.spi;

import java.util.Objects;

/**
 * Store a signal on a job: kept if the job exists in the tenant, is PENDING, RUNNING or FAILED (a
 * failed job may be re-driven) and has no signal of that name yet; the first signal of a name wins.
 * If the job is PENDING and suspended ({@link SuspendRequest}) waiting for this name, or the name
 * is a control signal ({@link #CONTROL_PREFIX}) and the job is suspended at all, it is made due now
 * and workers are woken as for an enqueue.
 */
public record SignalRequest(JobRef job, String name, String payload) {
  /** Names Keel itself uses: a cancel or compensate request to a job with steps. */
  public static final String CONTROL_PREFIX = "keel:";

  public SignalRequest {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(payload, "payload");
  }
}
