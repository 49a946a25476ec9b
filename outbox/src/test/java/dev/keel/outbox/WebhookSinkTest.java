package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSinkTest {
  static HttpServer server;
  static String base;
  static final List<String> requests = new CopyOnWriteArrayList<>();
  static final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
  static final CountDownLatch never = new CountDownLatch(1);

  @BeforeAll
  static void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext(
        "/ok",
        ex -> {
          requests.add(
              ex.getRequestMethod()
                  + " "
                  + ex.getRequestURI().getPath()
                  + " "
                  + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          ex.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(), v.get(0)));
          respond(ex, 202, "accepted " + "x".repeat(5000));
        });
    server.createContext("/fail", ex -> respond(ex, 503, "try later\nplease"));
    server.createContext("/to-private", ex -> redirect(ex, "http://10.0.0.1/hook"));
    server.createContext(
        "/to-metadata", ex -> redirect(ex, "http://169.254.169.254/latest/meta-data/"));
    server.createContext("/to-file", ex -> redirect(ex, "file:///etc/passwd"));
    server.createContext("/to-ok", ex -> redirect(ex, "/ok"));
    server.createContext(
        "/hang",
        ex -> {
          try {
            never.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          respond(ex, 200, "late");
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterAll
  static void stopServer() {
    never.countDown();
    server.stop(0);
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private static void redirect(HttpExchange ex, String location) throws IOException {
    ex.getResponseHeaders().add("Location", location);
    ex.sendResponseHeaders(302, -1);
    ex.close();
  }

  private static RelayedMessage message() {
    return new RelayedMessage(
        UUID.randomUUID(),
        1,
        "acme",
        "k",
        "user.created",
        "{\"id\":1}",
        Map.of("X-Trace", "abc"),
        1,
        Instant.EPOCH);
  }

  /** A sink that may reach the local test server (loopback explicitly allowed). */
  private static WebhookSink.Builder local(String path) {
    return WebhookSink.builder(URI.create(base + path)).allowAddresses("127.0.0.1/32");
  }

  @Test
  void deliversToAnAllowedTargetAndRecordsStatusAndABoundedExcerpt() throws Exception {
    RelayedMessage m = message();
    SinkReceipt r = local("/ok").bodyExcerptBytes(64).build().publish(m);
    assertThat(r.summary()).startsWith("HTTP 202: accepted xxx");
    assertThat(r.summary().length()).isLessThan(100);
    assertThat(requests).contains("POST /ok {\"id\":1}");
    assertThat(lastHeaders)
        .containsEntry("idempotency-key", m.id().toString())
        .containsEntry("x-keel-message-type", "user.created")
        .containsEntry("x-keel-tenant", "acme")
        .containsEntry("x-trace", "abc")
        .containsEntry("content-type", "application/json");
  }

  @Test
  void nonSuccessStatusIsAFailureCarryingStatusAndExcerpt() {
    assertThatThrownBy(() -> local("/fail").build().publish(message()))
        .isInstanceOfSatisfying(
            WebhookDeliveryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.bodyExcerpt()).isEqualTo("try later please");
            });
  }

  @Test
  void redirectsAreNotFollowedByDefault() {
    assertThatThrownBy(() -> local("/to-ok").build().publish(message()))
        .isInstanceOf(WebhookDeliveryException.class)
        .hasMessageContaining("not followed");
  }

  @Test
  void whenFollowingEachHopIsCheckedAndAPrivateHopIsRefusedBeforeConnecting() {
    assertThatThrownBy(() -> local("/to-private").followRedirects(3).build().publish(message()))
        .isInstanceOfSatisfying(
            UnsafeTargetException.class,
            e -> {
              assertThat(e.target()).isEqualTo("http://10.0.0.1/hook");
              assertThat(e.reason()).contains("private address (10/8)");
            });
    assertThatThrownBy(() -> local("/to-metadata").followRedirects(3).build().publish(message()))
        .isInstanceOf(UnsafeTargetException.class)
        .hasMessageContaining("metadata");
    assertThatThrownBy(() -> local("/to-file").followRedirects(3).build().publish(message()))
        .isInstanceOf(UnsafeTargetException.class)
        .hasMessageContaining("scheme");
  }

  @Test
  void whenFollowingAnAllowedHopIsFollowed() throws Exception {
    assertThat(local("/to-ok").followRedirects(1).build().publish(message()).summary())
        .startsWith("HTTP 202");
  }

  @Test
  void requestTimeoutBoundsASlowEndpoint() {
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () -> local("/hang").requestTimeout(Duration.ofMillis(300)).build().publish(message()))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // loopback in its many spellings
        "http://127.0.0.1/",
        "http://127.0.0.1:8080/hook",
        "http://127.1/",
        "http://127.0.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0x7f.0.0.1/",
        "http://0177.0.0.1/",
        "http://017700000001/",
        "http://127.000.000.001/",
        "http://[::1]/",
        "http://[0:0:0:0:0:0:0:1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::127.0.0.1]/",
        "http://[2002:7f00:1::]/",
        "http://localhost/",
        "http://LOCALHOST./",
        "https://localhost:8443/",
        // private ranges
        "http://10.0.0.1/",
        "http://10.255.255.255/",
        "http://172.16.0.1/",
        "http://172.31.255.254/",
        "http://192.168.1.1/",
        "http://[fc00::1]/",
        "http://[fd12:3456::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::ffff:192.168.0.1]/",
        // link-local and metadata
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.1.1/",
        "http://[fe80::1]/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:169.254.169.254]/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata.google.internal./",
        "http://100.100.100.200/",
        // unspecified, CGNAT, multicast, broadcast
        "http://0.0.0.0/",
        "http://0/",
        "http://[::]/",
        "http://100.64.0.1/",
        "http://100.127.255.254/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://255.255.255.255/",
        // not http(s)
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://example.com/",
        "jar:http://example.com/x.jar!/",
        // names that resolve to loopback or private addresses (see resolver below)
        "http://rebind.example/",
        "http://mixed.example/",
        "http://does-not-resolve.invalid/"
      })
  void hostileTargetsAreRefusedBeforeAnyConnection(String target) {
    WebhookSink.Builder b =
        WebhookSink.builder(URI.create(target))
            .resolver(
                host ->
                    switch (host) {
                      case "rebind.example" -> List.of(InetAddress.getByName("127.0.0.2"));
                      case "mixed.example" ->
                          List.of(
                              InetAddress.getByName("93.184.216.34"),
                              InetAddress.getByName("10.1.2.3"));
                      case "localhost" -> List.of(InetAddress.getByName("127.0.0.1"));
                      default -> List.of(InetAddress.getAllByName(host));
                    });
    assertThatThrownBy(() -> b.build().publish(message()))
        .isInstanceOfSatisfying(
            UnsafeTargetException.class,
            e -> {
              System.out.println(target + " -> " + e.reason());
              // Refused for what it is, not because DNS happened to fail offline.
              if (!target.contains(".invalid")) {
                assertThat(e.reason()).doesNotContain("does not resolve");
              }
            });
  }

  @Test
  void systemResolverNameForLoopbackIsRefused() {
    assertThatThrownBy(
            () -> WebhookSink.builder(URI.create("http://localhost:1/")).build().publish(message()))
        .isInstanceOfSatisfying(
            UnsafeTargetException.class, e -> assertThat(e.reason()).contains("loopback address"));
  }

  @Test
  void allowListDoesNotOpenMetadataEndpointsOrOtherRanges() {
    WebhookSink.Builder b =
        WebhookSink.builder(URI.create("http://169.254.169.254/")).allowAddresses("169.254.0.0/16");
    assertThatThrownBy(() -> b.build().publish(message()))
        .isInstanceOf(UnsafeTargetException.class)
        .hasMessageContaining("metadata");
    assertThatThrownBy(
            () ->
                WebhookSink.builder(URI.create("http://10.0.0.1/"))
                    .allowAddresses("127.0.0.1/32")
                    .build()
                    .publish(message()))
        .isInstanceOf(UnsafeTargetException.class);
  }

  @Test
  void relayStoresTheWebhookFailureAsTheMessagesLastError() throws Exception {
    try (OutboxTestDatabase db = OutboxTestDatabase.forClass(WebhookSinkTest.class)) {
      Outbox outbox = db.outbox();
      UUID id = db.jdbi().inTransaction(h -> outbox.record(h, OutboxMessage.of("t", "k", "{}")));
      OutboxRelay relay = outbox.relay(local("/fail").build()).maxAttempts(1).build();
      relay.runOnce();
      OutboxRecord r = outbox.find(id).orElseThrow();
      assertThat(r.state()).isEqualTo(OutboxState.FAILED);
      assertThat(r.lastError()).contains("HTTP 503").contains("try later please");
      UUID ok = db.jdbi().inTransaction(h -> outbox.record(h, OutboxMessage.of("t", "k2", "{}")));
      outbox.relay(local("/ok").build()).build().runOnce();
      assertThat(outbox.find(ok).orElseThrow().receipt()).startsWith("HTTP 202");
    }
  }
}
