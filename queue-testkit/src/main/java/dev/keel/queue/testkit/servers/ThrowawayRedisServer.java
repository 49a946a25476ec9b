package dev.keel.queue.testkit.servers;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A private {@code redis-server} on a free loopback port, which a test may kill and restart on the
 * same port without disturbing anyone else's Redis. Stopped by {@link #close()} and, as a backstop,
 * at JVM exit. Needs {@code redis-server} on the PATH.
 */
public final class ThrowawayRedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private final boolean persistent;
  private Process process;

  /** Starts a server that loses its data when stopped. */
  public ThrowawayRedisServer() {
    this(false);
  }

  /**
   * Starts a server.
   *
   * @param persistent keep data across {@link #stop()}/{@link #start()} with an append-only file
   *     synced on every write, like a production Redis that is restarted
   */
  public ThrowawayRedisServer(boolean persistent) {
    this.persistent = persistent;
    this.port = TestServices.freePort();
    try {
      this.dir = Files.createTempDirectory("keel-redis-throwaway");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data directory for redis-server", e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "stop-throwaway-redis"));
    start();
  }

  /** The server's URL, {@code redis://127.0.0.1:<port>/0}. */
  public String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** The server's port, the same across restarts. */
  public int port() {
    return port;
  }

  /** Starts the server (again) and waits until it answers PING. */
  public synchronized void start() {
    try {
      process =
          RedisServerProcess.start(
              port,
              dir,
              List.of("--appendonly", persistent ? "yes" : "no", "--appendfsync", "always"));
    } catch (IOException e) {
      throw RedisServerProcess.cannotStart(e);
    }
    await("redis-server on port " + port)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> RedisProbe.answersPing("127.0.0.1", port));
  }

  /** Stops the server, as a crash or a restart would; nothing if it is stopped. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    RedisServerProcess.stop(List.of(process));
    process = null;
  }

  @Override
  public void close() {
    stop();
  }
}
