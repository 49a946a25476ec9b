package dev.keel.queue.spi;

/**
 * Called by a backend when jobs may have become claimable in a queue. Best effort: a signal may be
 * lost or spurious, so workers also poll. Called on a backend thread; must return quickly.
 */
@FunctionalInterface
public interface WakeupListener {
  void jobsAvailable(String queue);

  /**
   * Jobs may have become claimable in any queue without a signal: the backend has only now begun,
   * or resumed after a lost connection, listening for signals, and those sent before were lost. A
   * backend that can name its queues may call {@link #jobsAvailable} for each instead. The default
   * does nothing; Keel's workers claim in every queue they serve.
   */
  default void signalsMayHaveBeenMissed() {}
}
