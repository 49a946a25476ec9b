package dev.keel.queue.spi;

/**
 * Where a stored alert is in its life cycle. At most one alert per rule and subject is not {@link
 * #RESOLVED} at any time; backends enforce that atomically.
 */
public enum AlertState {
  /** The condition holds and nobody has looked at it yet. */
  OPEN,
  /** A person said they are on it; it stays until the condition clears or someone resolves it. */
  ACKNOWLEDGED,
  /** Silenced until a moment kept in the alert's body; it reopens then if still true. */
  SNOOZED,
  /** Over: the condition cleared, or a person resolved it. Terminal. */
  RESOLVED;

  /** True for every state but {@link #RESOLVED}. */
  public boolean active() {
    return this != RESOLVED;
  }
}
