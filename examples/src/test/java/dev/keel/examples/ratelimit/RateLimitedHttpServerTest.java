package dev.keel.examples.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.ratelimit.LocalRateLimiter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RateLimitedHttpServerTest {
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));
  private final InstantSource clock = now::get;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private RateLimitedHttpServer server;

  @BeforeEach
  void start() throws IOException {
    server =
        RateLimitedHttpServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            LocalRateLimiter.builder(RateLimitedHttpServer.LIMIT).clock(clock).build());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void theSixthRequestInAMinuteGets429WithAPositiveRetryAfter() throws Exception {
    for (int i = 1; i <= 5; i++) {
      HttpResponse<String> ok = get("ann");
      assertThat(ok.statusCode()).as("request %d", i).isEqualTo(200);
      assertThat(ok.headers().firstValue("X-RateLimit-Remaining"))
          .hasValue(Integer.toString(5 - i));
    }

    HttpResponse<String> limited = get("ann");

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("12");
    assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
        .isPositive();
    assertThat(limited.body()).contains("retry after 12 s");
  }

  @Test
  void clientsAreLimitedSeparatelyAndTokensComeBack() throws Exception {
    for (int i = 0; i < 5; i++) {
      get("ann");
    }
    assertThat(get("ann").statusCode()).isEqualTo(429);
    assertThat(get("bob").statusCode()).isEqualTo(200);
    assertThat(get(null).statusCode()).as("by remote address").isEqualTo(200);

    now.set(now.get().plusSeconds(12));
    assertThat(get("ann").statusCode()).isEqualTo(200);
    assertThat(get("ann").statusCode()).isEqualTo(429);
  }

  @Test
  void anOverlongClientIdIsABadRequest() throws Exception {
    HttpResponse<String> response = get("x".repeat(300));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("key must be at most 256 characters");
  }

  private HttpResponse<String> get(String clientId) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
            .timeout(Duration.ofSeconds(10));
    if (clientId != null) {
      request.header(RateLimitedHttpServer.CLIENT_HEADER, clientId);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
