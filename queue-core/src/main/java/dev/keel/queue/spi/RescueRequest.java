package dev.keel.queue.spi;

/**
 * Rescue up to {@code limit} RUNNING jobs whose lease expired (on the backend's clock): each
 * becomes PENDING with runAt = now and lastError "lease expired" if it has attempts left, else
 * FAILED with that error. Its lease is cleared, so the old owner is fenced out.
 *
 * <p>A job with step records ({@link QueueBackend#saveSteps}) has {@link #EXTRA_RUNS_WITH_STEPS}
 * attempts more than its maxAttempts here: its worker may have died on its last attempt before or
 * while compensating, and core runs those extra attempts only to compensate and fail it (never its
 * handler anew), so a crash cannot leave completed steps uncompensated.
 */
public record RescueRequest(int limit) {
  /** Attempts beyond maxAttempts that a rescue gives a job with step records. */
  public static final int EXTRA_RUNS_WITH_STEPS = 2;

  public RescueRequest {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }
}
