package dev.keel.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.QueueBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A Keel with two job types ({@code email} fails when its payload says {@code fail}, {@code report}
 * succeeds), a console with an admin and an operator of tenant {@code acme}, served on a free
 * loopback port, and an HTTP client for it.
 */
final class OpsFixture implements AutoCloseable {
  static final String ADMIN_TOKEN = "admin-secret-token-0123456789";
  static final String ACME_TOKEN = "acme-secret-token-0123456789";

  final Keel keel;
  final OpsConsole console;
  final OpsServer server;
  final URI base;
  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();

  record Res(int status, JsonNode body, HttpResponse<String> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  OpsFixture(QueueBackend backend, List<AlertRule> rules) {
    this.keel =
        Keel.builder()
            .backend(backend)
            .register(
                "email",
                Map.class,
                JobHandler.of(
                    m -> {
                      if (Boolean.TRUE.equals(m.get("fail"))) {
                        throw new IllegalStateException("SMTP 550 mailbox unavailable");
                      }
                    }))
            .register("report", Map.class, JobHandler.of(m -> {}))
            .build();
    this.console =
        OpsConsole.builder(keel)
            .authenticator(
                BearerTokenAuthenticator.builder()
                    .admin("ops-team", ADMIN_TOKEN)
                    .operator("acme-support", ACME_TOKEN, "acme")
                    .build())
            .alerts(rules)
            .alertSink(n -> {})
            .build();
    this.server = OpsServer.start(console, new InetSocketAddress("127.0.0.1", 0));
    this.base = server.url();
  }

  UUID enqueue(String type, String tenant, boolean fail) {
    return keel.client()
        .enqueue(JobRequest.of(type, Map.of("fail", fail)).withTenant(tenant).withMaxAttempts(1))
        .id();
  }

  Res get(String path, String token) {
    return send("GET", path, token, null, Map.of());
  }

  Res post(String path, String token) {
    return send("POST", path, token, null, Map.of());
  }

  Res send(String method, String path, String token, String body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode node =
          r.body().isEmpty() || !r.headers().firstValue("Content-Type").orElse("").contains("json")
              ? null
              : json.readTree(r.body());
      return new Res(r.statusCode(), node, r);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.close();
    keel.close();
  }
}
