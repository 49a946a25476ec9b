package dev.keel.examples.ratelimit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keel.ratelimit.Decision;
import dev.keel.ratelimit.Limit;
import dev.keel.ratelimit.LocalRateLimiter;
import dev.keel.ratelimit.RateLimitException;
import dev.keel.ratelimit.RateLimiter;
import dev.keel.ratelimit.RetryAfter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server on 127.0.0.1 that lets each client make 5 requests per minute and answers the rest
 * with {@code 429 Too Many Requests} and a {@code Retry-After} header.
 *
 * <p>A client is its {@code X-Client-Id} header, or its remote address when there is none. Run it
 * with {@code mvn -q -pl examples exec:java
 * -Dexec.mainClass=dev.keel.examples.ratelimit.RateLimitedHttpServer -Dexec.args=8080} and try
 * {@code for i in 1 2 3 4 5 6; do curl -si localhost:8080/ | head -1; done}. For a limit shared by
 * several instances, pass a {@code FallbackRateLimiter} around a {@code RedisRateLimiter} instead
 * of the local one.
 */
public final class RateLimitedHttpServer implements AutoCloseable {
  /** The example's limit: 5 at once, then one more every 12 seconds. */
  public static final Limit LIMIT = Limit.perMinute(5);

  static final String CLIENT_HEADER = "X-Client-Id";
  private static final Logger log = LoggerFactory.getLogger(RateLimitedHttpServer.class);

  private final HttpServer server;
  private final RateLimiter limiter;

  private RateLimitedHttpServer(HttpServer server, RateLimiter limiter) {
    this.server = server;
    this.limiter = limiter;
  }

  /**
   * Starts a server on {@code address} deciding with {@code limiter}.
   *
   * @throws IOException if the address cannot be bound
   */
  public static RateLimitedHttpServer start(InetSocketAddress address, RateLimiter limiter)
      throws IOException {
    Objects.requireNonNull(limiter, "limiter");
    HttpServer server = HttpServer.create(address, 0);
    RateLimitedHttpServer app = new RateLimitedHttpServer(server, limiter);
    server.createContext("/", app::handle);
    server.start();
    return app;
  }

  /** The port the server listens on (useful when started on port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String client = clientOf(exchange);
      Decision decision;
      try {
        decision = limiter.tryAcquire("client:" + client, 1);
      } catch (RateLimitException e) {
        // e.g. an X-Client-Id longer than a key may be: the client's mistake, not ours
        respond(exchange, 400, "Bad request: " + e.getMessage() + "\n");
        return;
      }
      exchange
          .getResponseHeaders()
          .set("X-RateLimit-Remaining", Long.toString(decision.remaining()));
      if (decision.allowed()) {
        respond(exchange, 200, "Hello, " + client + "\n");
      } else {
        long retryAfter = RetryAfter.seconds(decision);
        exchange.getResponseHeaders().set("Retry-After", Long.toString(retryAfter));
        respond(exchange, 429, "Too many requests; retry after " + retryAfter + " s\n");
      }
    }
  }

  private static String clientOf(HttpExchange exchange) {
    String id = exchange.getRequestHeaders().getFirst(CLIENT_HEADER);
    if (id != null && !id.isBlank()) {
      return id.strip();
    }
    return exchange.getRemoteAddress().getAddress().getHostAddress();
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Serves on 127.0.0.1 at the port given as the first argument (default 8080) until killed. */
  public static void main(String[] args) throws IOException, InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    RateLimiter limiter = LocalRateLimiter.builder(LIMIT).build();
    RateLimitedHttpServer app =
        start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), limiter);
    log.info("Listening on http://127.0.0.1:{}/ with {} per client", app.port(), LIMIT);
    new CountDownLatch(1).await(); // serve until the process is stopped
  }
}
