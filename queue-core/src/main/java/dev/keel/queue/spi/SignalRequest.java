package dev.keel.queue.spi;

import java.util.Objects;

/**
 * Store a signal on a job: kept if the job exists in the tenant, is PENDING, RUNNING or FAILED (a
 * failed job may be re-driven) and has no signal of that name yet; the first signal of a name wins.
 * If the job is PENDING and suspended ({@link SuspendRequest}) waiting for this name, or the name
 * is a control signal ({@link #CONTROL_PREFIX}) other than a children signal ({@link
 * #CHILDREN_PREFIX}) and the job is suspended at all, it is made due now and workers are woken as
 * for an enqueue. A children signal wakes only a job suspended waiting for exactly that name.
 */
public record SignalRequest(JobRef job, String name, String payload) {
  /** Names Keel itself uses: a cancel or compensate request to a job with steps. */
  public static final String CONTROL_PREFIX = "keel:";

  /**
   * Control signals that end one children step ({@code keel:children:<step>}): they are never
   * deleted, so unlike cancel and compensate they must not wake every later suspend of the job,
   * only one waiting for exactly that name.
   */
  public static final String CHILDREN_PREFIX = CONTROL_PREFIX + "children:";

  /**
   * Whether a stored signal of this name makes any suspend of its job due now: the control signals
   * (cancel, compensate) except children signals.
   */
  public static boolean wakesAnySuspend(String name) {
    return name.startsWith(CONTROL_PREFIX) && !name.startsWith(CHILDREN_PREFIX);
  }

  public SignalRequest {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(payload, "payload");
  }
}
