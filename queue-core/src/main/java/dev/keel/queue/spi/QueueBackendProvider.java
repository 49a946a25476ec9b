package dev.keel.queue.spi;

import java.util.Set;

/**
 * Discovered with {@link java.util.ServiceLoader}: lets {@code Keel.fromEnvironment()} open a
 * backend named by {@code KEEL_BACKEND} without core knowing the backend's classes. A backend
 * module registers its provider in {@code
 * META-INF/services/dev.keel.queue.spi.QueueBackendProvider}.
 */
public interface QueueBackendProvider {

  /** The name used in {@code KEEL_BACKEND}, e.g. {@code postgres}. */
  String name();

  /** Other accepted names, e.g. {@code rq} for redis. */
  default Set<String> aliases() {
    return Set.of();
  }

  /**
   * The environment variables that hold this backend's URL, first match wins, e.g. {@code
   * KEEL_DATABASE_URL}, {@code DATABASE_URL}. Empty for a backend that needs none.
   */
  java.util.List<String> urlVariables();

  /**
   * Open the backend and check that it answers.
   *
   * @throws dev.keel.queue.BackendUnavailableException if it does not answer (message masked)
   * @throws dev.keel.queue.KeelConfigurationException if the URL is malformed
   */
  QueueBackend open(BackendSettings settings);
}
