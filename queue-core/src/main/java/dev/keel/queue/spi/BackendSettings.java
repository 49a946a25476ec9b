package dev.keel.queue.spi;

import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a provider gets to open a backend.
 *
 * @param url the backend's URL, or null if the backend needs none
 * @param clock core's clock; the inline backend uses it as its "server clock"
 * @param environment the full environment, for backend-specific optional variables
 */
public record BackendSettings(String url, InstantSource clock, Map<String, String> environment) {
  public BackendSettings {
    Objects.requireNonNull(clock, "clock");
    environment = environment == null ? Map.of() : Map.copyOf(environment);
  }

  public Optional<String> urlIfSet() {
    return Optional.ofNullable(url);
  }
}
