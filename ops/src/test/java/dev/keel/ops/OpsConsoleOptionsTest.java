package dev.keel.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.Keel;
import dev.keel.queue.inline.InlineBackend;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console's settings: mount path, metrics route, health access, worker status, body limit. */
class OpsConsoleOptionsTest {
  private final Keel keel = Keel.builder().backend(InlineBackend.create()).build();
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private OpsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    keel.close();
  }

  private OpsConsole.Builder console() {
    return OpsConsole.builder(keel)
        .authenticator(
            BearerTokenAuthenticator.builder().admin("alice", OpsFixture.ADMIN_TOKEN).build())
        .alerts(List.of());
  }

  private HttpResponse<String> get(URI uri, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theConsoleCanBeMountedUnderAPath() throws Exception {
    server = OpsServer.start(console().build(), new InetSocketAddress("127.0.0.1", 0), "/keel/ops");
    assertThat(server.url().getPath()).isEqualTo("/keel/ops/");
    URI root = URI.create("http://127.0.0.1:" + server.port());
    HttpResponse<String> redirect = get(root.resolve("/keel/ops"), null);
    assertThat(redirect.statusCode()).isEqualTo(308);
    assertThat(redirect.headers().firstValue("Location")).hasValue("/keel/ops/");
    assertThat(get(server.url().resolve("health/live"), null).statusCode()).isEqualTo(200);
    assertThat(get(server.url().resolve("api/overview"), OpsFixture.ADMIN_TOKEN).statusCode())
        .isEqualTo(200);
    assertThat(get(root.resolve("/api/overview"), OpsFixture.ADMIN_TOKEN).statusCode())
        .isEqualTo(404);
    assertThatThrownBy(() -> OpsServer.start(console().build(), new InetSocketAddress(0), "/a b/"))
        .hasMessageContaining("basePath");
  }

  @Test
  void metricsAreServedWhenGivenAScrape() throws Exception {
    server =
        OpsServer.start(
            console().metrics(() -> "keel_jobs_total 3\n", "text/plain; version=0.0.4").build(),
            new InetSocketAddress("127.0.0.1", 0));
    HttpResponse<String> m = get(server.url().resolve("metrics"), null);
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body()).isEqualTo("keel_jobs_total 3\n");
    assertThat(m.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4");
  }

  @Test
  void withoutAScrapeThereIsNoMetricsRoute() throws Exception {
    server = OpsServer.start(console().build(), new InetSocketAddress("127.0.0.1", 0));
    assertThat(get(server.url().resolve("metrics"), null).statusCode()).isEqualTo(404);
  }

  @Test
  void healthCanRequireAPrincipalAndReadyReportsTheWorker() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    server =
        OpsServer.start(
            console().healthRequiresAuth(true).workerStatus(running::get).build(),
            new InetSocketAddress("127.0.0.1", 0));
    URI ready = server.url().resolve("health/ready");
    assertThat(get(ready, null).statusCode()).isEqualTo(401);
    assertThat(get(ready, OpsFixture.ADMIN_TOKEN).statusCode()).isEqualTo(200);
    running.set(false);
    HttpResponse<String> down = get(ready, OpsFixture.ADMIN_TOKEN);
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body()).contains("\"workerRunning\":false").contains("\"status\":\"DOWN\"");
  }

  @Test
  void anOversizedBodyIsRefused() throws Exception {
    server = OpsServer.start(console().build(), new InetSocketAddress("127.0.0.1", 0));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(server.url().resolve("api/session"))
                .POST(
                    HttpRequest.BodyPublishers.ofString("x".repeat(OpsRequest.MAX_BODY_BYTES + 1)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("\"field\":\"body\"");
  }

  @Test
  void anApplicationsOwnSignInNeedsTheCsrfTokenTheConsoleHandsOut() throws Exception {
    // As a proxy or a framework session would: the browser sends the credential by itself.
    OpsAuthenticator fromHeader =
        r ->
            "carol".equals(r.header("X-Test-User"))
                ? java.util.Optional.of(OpsPrincipal.admin("carol"))
                : java.util.Optional.empty();
    server =
        OpsServer.start(
            OpsConsole.builder(keel).authenticator(fromHeader).alerts(List.of()).build(),
            new InetSocketAddress("127.0.0.1", 0));
    HttpResponse<String> session =
        http.send(
            HttpRequest.newBuilder(server.url().resolve("api/session"))
                .header("X-Test-User", "carol")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(session.statusCode()).isEqualTo(200);
    String csrf =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(session.body())
            .path("csrf")
            .asText();
    assertThat(csrf).isNotBlank();
    URI process = server.url().resolve("api/process?max=1");
    HttpRequest.Builder post =
        HttpRequest.newBuilder(process)
            .header("X-Test-User", "carol")
            .POST(HttpRequest.BodyPublishers.noBody());
    assertThat(http.send(post.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(403);
    assertThat(
            http.send(
                    post.copy().header(OpsHandler.CSRF_HEADER, "forged").build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(403);
    assertThat(
            http.send(
                    post.copy().header(OpsHandler.CSRF_HEADER, csrf).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void aConsoleNeedsAnAuthenticator() {
    assertThatThrownBy(() -> OpsConsole.builder(keel).build())
        .hasMessageContaining("authenticator is required");
  }
}
