package dev.keel.queue.spi;

/**
 * Rescue up to {@code limit} RUNNING jobs whose lease expired (on the backend's clock): each
 * becomes PENDING with runAt = now and lastError "lease expired" if it has attempts left, else
 * FAILED with that error. Its lease is cleared, so the old owner is fenced out.
 */
public record RescueRequest(int limit) {
  public RescueRequest {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }
}
