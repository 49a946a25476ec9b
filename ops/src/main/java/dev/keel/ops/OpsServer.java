package dev.keel.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console on the JDK's built-in HTTP server ({@code com.sun.net.httpserver}, no extra
 * dependency), for services that have no server of their own. Plain HTTP: bind it to loopback or a
 * private interface, or put a TLS proxy in front (then set {@link
 * OpsConsole.Builder#secureCookies}).
 */
public final class OpsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
  static final int THREADS = 4;

  private final HttpServer server;
  private final ExecutorService executor;
  private final OpsConsole console;
  private final String basePath;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closing;

  private OpsServer(HttpServer server, ExecutorService executor, OpsConsole console, String base) {
    this.server = server;
    this.executor = executor;
    this.console = console;
    this.basePath = base;
  }

  /** Serves {@code console} at the root of {@code address} and starts it. */
  public static OpsServer start(OpsConsole console, InetSocketAddress address) {
    return start(console, address, "/");
  }

  /**
   * Serves {@code console} under {@code basePath} (e.g. {@code /ops/}) of {@code address}, and
   * starts the console's evaluator and sampler.
   *
   * @throws java.io.UncheckedIOException the address cannot be bound
   */
  public static OpsServer start(OpsConsole console, InetSocketAddress address, String basePath) {
    Objects.requireNonNull(console, "console");
    Objects.requireNonNull(address, "address");
    String base = normalise(basePath);
    HttpServer server;
    try {
      server = HttpServer.create(address, 64);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot listen on " + address + ": " + e.getMessage(), e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "keel-ops-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    OpsServer ops = new OpsServer(server, executor, console, base);
    server.createContext(base.equals("/") ? "/" : base.substring(0, base.length() - 1), ops::serve);
    server.setExecutor(executor);
    server.start();
    console.start();
    log.info("Keel ops console listening on {}", ops.url());
    return ops;
  }

  /** Where the dashboard is, e.g. {@code http://127.0.0.1:8090/}. */
  public URI url() {
    InetSocketAddress a = server.getAddress();
    String host =
        a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort() + basePath);
  }

  /** The port actually bound (useful after binding port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void serve(HttpExchange ex) throws IOException {
    inFlight.incrementAndGet();
    try (ex) {
      if (closing) {
        ex.getResponseHeaders().add("Connection", "close");
        ex.sendResponseHeaders(503, -1);
        return;
      }
      String raw = ex.getRequestURI().getRawPath();
      if (!basePath.equals("/") && raw.equals(basePath.substring(0, basePath.length() - 1))) {
        // Relative asset URLs need the trailing slash.
        ex.getResponseHeaders().add("Location", basePath);
        ex.sendResponseHeaders(308, -1);
        return;
      }
      String path = raw.substring(basePath.length() - 1);
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readNBytes(OpsRequest.MAX_BODY_BYTES + 1);
      }
      if (body.length > OpsRequest.MAX_BODY_BYTES) {
        byte[] msg =
            ("{\"error\":\"bad_request\",\"field\":\"body\",\"message\":\"the body must be at most "
                    + OpsRequest.MAX_BODY_BYTES
                    + " bytes\"}")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(413, msg.length);
        ex.getResponseBody().write(msg);
        return;
      }
      OpsRequest req =
          OpsRequest.of(
              ex.getRequestMethod(),
              path,
              ex.getRequestURI().getRawQuery(),
              ex.getRequestHeaders(),
              body,
              false);
      OpsResponse res = console.handler().handle(req);
      for (Map.Entry<String, List<String>> h : res.headers().entrySet()) {
        for (String v : h.getValue()) {
          ex.getResponseHeaders().add(h.getKey(), v);
        }
      }
      boolean head = ex.getRequestMethod().equalsIgnoreCase("HEAD");
      ex.sendResponseHeaders(res.status(), head || res.body().length == 0 ? -1 : res.body().length);
      if (!head && res.body().length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(res.body());
        }
      }
    } catch (IOException e) {
      // The client went away mid-response; nothing to answer to.
      log.debug("Ops console: the client closed the connection early", e);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private static String normalise(String basePath) {
    Objects.requireNonNull(basePath, "basePath");
    String b = basePath.startsWith("/") ? basePath : "/" + basePath;
    if (!b.endsWith("/")) {
      b = b + "/";
    }
    if (!b.matches("/([A-Za-z0-9._~-]+/)*")) {
      throw new IllegalArgumentException(
          "basePath must be a plain path like /ops/, was " + basePath);
    }
    return b;
  }

  /**
   * Stops serving: new requests get 503, requests in flight get up to 5 s to finish (a process
   * request may run up to 20 s; it is cut short then), then the console closes. Idempotent.
   */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    // Idle keep-alive connections would hold stop(n) for its whole delay: nothing is in flight.
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
    console.close();
  }
}
