package dev.keel.queue;

/** What {@link Keel} does when the configured backend does not answer at start. */
public enum StartupMode {
  /** Start fails with a {@link BackendUnavailableException} (masked URL, cause, what to check). */
  FAIL_FAST,
  /**
   * Start succeeds; health reports the backend down; Keel reconnects in the background with
   * backoff; enqueue and other calls fail with {@link BackendUnavailableException} until it is
   * back. Never a silent fall-back to memory.
   */
  DEGRADED
}
