package dev.keel.queue;

import java.time.Duration;
import java.util.Optional;

/**
 * Cluster-wide mutexes with fencing tokens, kept by the backend ({@link Keel#locks()}).
 *
 * <p>A lock is held for a lease measured on the backend's clock and renewed in the background every
 * third of it while the holder keeps it open; {@link FencedLock#close()} releases it. Every
 * acquisition of a name gets a {@link FencedLock#token() fencing token} greater than every earlier
 * one, so a resource that remembers the greatest token it has seen can refuse a holder that lost
 * the lock without knowing it (paused, partitioned) and comes back later.
 *
 * <pre>{@code
 * try (FencedLock lock = keel.locks().acquire("ledger:" + accountId, Duration.ofSeconds(30))) {
 *   ledger.write(entry, lock.token()); // the ledger refuses tokens lower than the last it saw
 * }
 * }</pre>
 *
 * <p>Names are 1 to 255 characters; leases between {@link #MIN_LEASE} and {@link #MAX_LEASE}. Other
 * input gets an {@link InvalidInputException} naming the field.
 */
public interface Locks {
  Duration MIN_LEASE = Duration.ofMillis(100);
  Duration MAX_LEASE = Duration.ofHours(24);

  /**
   * Waits until the lock is taken.
   *
   * @throws InterruptedException if the thread is interrupted while waiting (nothing is held)
   * @throws BackendUnavailableException if the backend fails while asked
   */
  FencedLock acquire(String name, Duration lease) throws InterruptedException;

  /** One attempt: the lock if it was free (or its lease had expired), else empty. */
  Optional<FencedLock> tryAcquire(String name, Duration lease);

  /**
   * Attempts until the lock is taken or {@code wait} has passed.
   *
   * @throws InterruptedException if the thread is interrupted while waiting (nothing is held)
   */
  Optional<FencedLock> tryAcquire(String name, Duration lease, Duration wait)
      throws InterruptedException;
}
