package dev.keel.queue;

/** Base of every exception Keel throws on purpose. Unchecked. */
public class KeelException extends RuntimeException {
  public KeelException(String message) {
    super(message);
  }

  public KeelException(String message, Throwable cause) {
    super(message, cause);
  }
}
