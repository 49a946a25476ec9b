package dev.keel.queue;

/**
 * The backend could not be reached or answered with an error. The message names the backend with
 * any secret masked, the cause and what to check. Never thrown for a rule violation.
 */
public class BackendUnavailableException extends KeelException {
  public BackendUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public BackendUnavailableException(String message) {
    super(message);
  }
}
