package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedisBackendProviderTest {

  private static QueueBackendProvider provider() {
    return ServiceLoader.load(QueueBackendProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("redis"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("redis provider not registered"));
  }

  private static BackendSettings settings(String url, Map<String, String> env) {
    return new BackendSettings(url, InstantSource.system(), env);
  }

  @Test
  void isRegisteredAsRedisWithAliasRqAndItsUrlVariables() {
    QueueBackendProvider provider = provider();
    assertThat(provider).isInstanceOf(RedisBackendProvider.class);
    assertThat(provider.aliases()).isEqualTo(Set.of("rq"));
    assertThat(provider.urlVariables()).isEqualTo(List.of("KEEL_REDIS_URL", "REDIS_URL"));
  }

  @Test
  void opensAWorkingBackendInTheConfiguredNamespace() {
    String namespace = "test-provider-" + System.nanoTime();
    try (QueueBackend backend =
        provider()
            .open(
                settings(
                    RedisTestServers.standaloneUrl(),
                    Map.of(RedisBackendProvider.NAMESPACE_VARIABLE, namespace)))) {
      assertThat(backend.capabilities().name()).isEqualTo("redis");
      assertThat(backend.ping().detail()).contains(namespace);
    }
  }

  @Test
  void malformedUrlIsAConfigurationError() {
    assertThatThrownBy(() -> provider().open(settings("redis://:hunter2@host:port", Map.of())))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("KEEL_REDIS_URL")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void anErrorNamesTheVariableTheUrlCameFrom() {
    String bad = "redis://:hunter2@host:port";
    assertThatThrownBy(() -> provider().open(settings(bad, Map.of("REDIS_URL", bad))))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageStartingWith("REDIS_URL")
        .hasMessageNotContaining("KEEL_REDIS_URL")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void missingUrlIsAConfigurationError() {
    assertThatThrownBy(() -> provider().open(settings(null, Map.of())))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("KEEL_REDIS_URL");
  }

  @Test
  void unreachableServerIsBackendUnavailableWithThePasswordMaskedAndWhatToCheck()
      throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort(); // free once closed: nothing listens there
    }
    // With the mode given, the first command fails; without, the cluster probe does.
    for (String query : new String[] {"?cluster=false&timeout=300", "?timeout=300"}) {
      String url = "redis://:hunter2@127.0.0.1:" + closedPort + "/0" + query;
      assertThatThrownBy(() -> provider().open(settings(url, Map.of("REDIS_URL", url))))
          .isInstanceOf(BackendUnavailableException.class)
          .hasMessageContaining("127.0.0.1:" + closedPort)
          .hasMessageContaining("****")
          .hasMessageContaining("Check that")
          .hasMessageEndingWith("are right in REDIS_URL.")
          .hasMessageNotContaining("hunter2");
    }
  }
}
