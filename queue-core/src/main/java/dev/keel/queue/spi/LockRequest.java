package dev.keel.queue.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Take, renew or release the fenced lock {@code name} ({@link QueueBackend#acquireLock}, {@link
 * QueueBackend#renewLock}, {@link QueueBackend#releaseLock}).
 *
 * @param name the lock, 1 to 255 characters, checked by core
 * @param holder who takes it: unique per acquisition (core uses a random UUID), so two acquisitions
 *     in one process exclude each other too
 * @param token for renew and release: the fencing token the acquisition got; 0 for acquire
 * @param lease how long the lock is held from backend now; ignored by release
 */
public record LockRequest(String name, String holder, long token, Duration lease) {
  public LockRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(holder, "holder");
    Objects.requireNonNull(lease, "lease");
  }
}
