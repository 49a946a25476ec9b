package dev.keel.queue.steps;

/** Limits of durable steps. */
public final class StepLimits {
  /** A step name, signal name or children name: at most this many characters. */
  public static final int MAX_NAME_LENGTH = 128;

  /** The JSON of one step result or signal payload: at most this many bytes of UTF-8. */
  public static final int MAX_RESULT_BYTES = 64 * 1024;

  /** Step records (steps, sleeps, waits) on one job. */
  public static final int MAX_STEPS = 1_000;

  /** How often a compensation is tried before it is marked COMPENSATION_FAILED. */
  public static final int COMPENSATION_ATTEMPTS = 5;

  /**
   * Child jobs one {@code ctx.children} call may start (the step's record keeps their ids, within
   * {@link #MAX_RESULT_BYTES}).
   */
  public static final int MAX_CHILDREN = 1_000;

  /** The JSON of a children step's collected results (states, errors, results): at most this. */
  public static final int MAX_CHILDREN_RESULTS_BYTES = 1024 * 1024;

  private StepLimits() {}
}
