package dev.keel.queue.redis;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import java.util.List;
import java.util.Set;

/**
 * Opens a {@link RedisBackend} for {@code KEEL_BACKEND=redis} (alias {@code rq}) from {@code
 * KEEL_REDIS_URL} or {@code REDIS_URL}. The optional variable {@code KEEL_REDIS_NAMESPACE} sets the
 * key namespace (default {@code keel}).
 */
public final class RedisBackendProvider implements QueueBackendProvider {
  public static final String NAMESPACE_VARIABLE = "KEEL_REDIS_NAMESPACE";

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public Set<String> aliases() {
    return Set.of("rq");
  }

  @Override
  public List<String> urlVariables() {
    return List.of("KEEL_REDIS_URL", "REDIS_URL");
  }

  @Override
  public QueueBackend open(BackendSettings settings) {
    String url =
        settings
            .urlIfSet()
            .orElseThrow(
                () ->
                    new KeelConfigurationException(
                        "KEEL_BACKEND=redis needs KEEL_REDIS_URL or REDIS_URL, e.g."
                            + " redis://localhost:6379/0"));
    RedisBackend.Builder builder =
        RedisBackend.builder().url(url, settings.urlSource(urlVariables()));
    String namespace = settings.environment().get(NAMESPACE_VARIABLE);
    if (namespace != null && !namespace.isBlank()) {
      builder.namespace(namespace);
    }
    RedisBackend backend = builder.build();
    try {
      backend.ping();
      return backend;
    } catch (BackendUnavailableException e) {
      backend.close();
      throw e;
    }
  }
}
