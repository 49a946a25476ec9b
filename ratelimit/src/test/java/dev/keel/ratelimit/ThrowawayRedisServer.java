package dev.keel.ratelimit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} on a free loopback port that a test may kill and restart on the
 * same port without disturbing anyone else's Redis. Stopped by {@link #close()} and at JVM exit.
 */
final class ThrowawayRedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private Process process;

  ThrowawayRedisServer() {
    try (ServerSocket socket = new ServerSocket(0)) {
      this.port = socket.getLocalPort();
      this.dir = Files.createTempDirectory("keel-ratelimit-redis");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pick a free port", e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "stop-throwaway-redis"));
    start();
  }

  int port() {
    return port;
  }

  synchronized void start() {
    try {
      process =
          new ProcessBuilder(
                  "redis-server",
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("server.log").toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start redis-server: install it (e.g. apt-get install redis-server)", e);
    }
    await("redis-server on port " + port)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> RedisTestServers.answersPing("127.0.0.1", port));
  }

  synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  @Override
  public void close() {
    stop();
  }
}
