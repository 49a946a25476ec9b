package dev.keel.queue;

/** A {@link FencedLock} is no longer held: its lease ran out or another holder took it. */
public class LockLostException extends KeelException {
  public LockLostException(String message) {
    super(message);
  }
}
