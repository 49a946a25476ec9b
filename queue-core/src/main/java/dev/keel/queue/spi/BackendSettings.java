package dev.keel.queue.spi;

import java.time.InstantSource;
import java.util.List;
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

  /**
   * The variable, of a provider's {@link QueueBackendProvider#urlVariables()}, that holds {@link
   * #url()}, so that an error names the one the user set; all of them joined by "/" if none holds
   * it (a URL given in code).
   */
  public String urlSource(List<String> variables) {
    return variables.stream()
        .filter(v -> url != null && url.equals(environment.get(v)))
        .findFirst()
        .orElse(String.join("/", variables));
  }
}
