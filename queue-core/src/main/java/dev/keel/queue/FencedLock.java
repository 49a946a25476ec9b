package dev.keel.queue;

import java.time.Duration;

/**
 * A held cluster-wide lock ({@link Locks}). Renewed in the background until {@link #close()}; lost
 * when a renewal finds another holder or the lease runs out before a renewal got through (the
 * backend unreachable for longer than the lease). Once lost it stays lost: acquire again.
 */
public interface FencedLock extends AutoCloseable {
  String name();

  /** Greater than the token of every earlier acquisition of this name. */
  long token();

  Duration lease();

  /**
   * Whether the lock is still held, as far as this process can tell: not lost, not closed, and a
   * renewal got through less than one lease ago (measured from when it was sent, so this turns
   * false no later than the backend's own expiry).
   */
  boolean isHeld();

  /**
   * @throws LockLostException if {@link #isHeld()} is false
   */
  void ensureHeld();

  /**
   * Run {@code action} once when the lock is lost (at once if it already is); not when it is
   * closed. Runs on Keel's timer thread: keep it short.
   */
  void onLost(Runnable action);

  /** Release the lock if still held. Idempotent; never throws for a backend failure (logged). */
  @Override
  void close();
}
