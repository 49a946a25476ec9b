package dev.keel.queue.spi;

/**
 * Called by a backend when jobs may have become claimable in a queue. Best effort: a signal may be
 * lost or spurious, so workers also poll. Called on a backend thread; must return quickly.
 */
@FunctionalInterface
public interface WakeupListener {
  void jobsAvailable(String queue);
}
