package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.testkit.TestJobs;
import dev.keel.queue.testkit.servers.ThrowawayTlsRedisServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.InstantSource;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;

/**
 * rediss:// against a real TLS server whose certificate comes from a private CA and names only
 * {@code localhost}: trusted through {@link RedisBackend.Builder#tls}, refused by the JVM's trust
 * store, and refused for a host name the certificate does not carry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisTlsTest {
  private static final char[] STORE_PASSWORD = "changeit".toCharArray();

  private final TestJobs jobs = new TestJobs(InstantSource.system());
  private final String namespace = "test-tls-" + UUID.randomUUID().toString().substring(0, 8);
  private ThrowawayTlsRedisServer server;
  private Path trustStore;
  private SslOptions trustingTheTestCa;

  @BeforeAll
  void start() throws Exception {
    server = new ThrowawayTlsRedisServer();
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream pem = Files.newInputStream(server.caCertificate())) {
      store.setCertificateEntry(
          "keel-test-ca", CertificateFactory.getInstance("X.509").generateCertificate(pem));
    }
    trustStore = Files.createTempFile("keel-test-truststore", ".p12");
    try (OutputStream out = Files.newOutputStream(trustStore)) {
      store.store(out, STORE_PASSWORD);
    }
    trustingTheTestCa =
        SslOptions.builder()
            .truststore(trustStore.toFile(), STORE_PASSWORD)
            .trustStoreType("PKCS12")
            .sslVerifyMode(SslVerifyMode.FULL)
            .build();
  }

  @AfterAll
  void stop() throws Exception {
    if (trustStore != null) {
      Files.delete(trustStore);
    }
    if (server != null) {
      server.close();
    }
  }

  private String url(String host) {
    return "rediss://" + host + ":" + server.tlsPort() + "/0?timeout=1000";
  }

  private void ping(RedisBackend.Builder builder) {
    try (RedisBackend backend = builder.namespace(namespace).build()) {
      backend.ping();
    }
  }

  @Test
  void aServerTrustedThroughTheBuildersTlsSettingsIsUsed() {
    NewJob job = jobs.of("tls").build();
    // No cluster= parameter: the cluster probe goes over TLS too.
    try (RedisBackend backend =
        RedisBackend.builder()
            .url(url("localhost"))
            .namespace(namespace)
            .tls(trustingTheTestCa)
            .build()) {
      backend.enqueue(EnqueueRequest.of(job));
      assertThat(backend.find(new JobRef("default", job.id()))).isPresent();
    }
  }

  @Test
  void aCertificateFromAnUnknownCaIsRefused() {
    assertThatThrownBy(() -> ping(RedisBackend.builder().url(url("localhost") + "&cluster=false")))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("rediss://localhost:" + server.tlsPort())
        .hasMessageContaining("SSLHandshakeException");
  }

  @Test
  void aCertificateThatDoesNotNameTheHostIsRefused() {
    assertThatThrownBy(
            () ->
                ping(
                    RedisBackend.builder()
                        .url(url("127.0.0.1") + "&cluster=false")
                        .tls(trustingTheTestCa)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("rediss://127.0.0.1:" + server.tlsPort())
        .hasMessageContaining("SSLHandshakeException");
  }

  @Test
  void tlsSettingsWithoutARedissUrlAreAConfigurationError() {
    assertThatThrownBy(
            () ->
                RedisBackend.builder()
                    .url("redis://localhost:" + server.tlsPort())
                    .tls(trustingTheTestCa)
                    .build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("not a rediss:// URL");
  }
}
