package dev.keel.queue;

/**
 * Keel was configured wrongly: an unknown backend name, a durable backend without its URL, a
 * backend module missing from the classpath, an option set twice or out of range. The message names
 * the setting (environment variable or builder option) and what is allowed.
 */
public class KeelConfigurationException extends KeelException {
  public KeelConfigurationException(String message) {
    super(message);
  }

  public KeelConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
