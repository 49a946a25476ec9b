package dev.keel.ratelimit;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A private three-master Redis Cluster on free loopback ports (each port's cluster bus port, port +
 * 10000, is free too), started with {@code redis-server --cluster-enabled yes} and joined with
 * {@code redis-cli --cluster create}. Stopped by {@link #close()} and at JVM exit.
 */
final class ThrowawayRedisCluster implements AutoCloseable {
  private final List<Integer> ports = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final Path dir;

  ThrowawayRedisCluster() {
    try {
      dir = Files.createTempDirectory("keel-ratelimit-cluster");
      while (ports.size() < 3) {
        int port = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
        if (!ports.contains(port) && free(port) && free(port + 10_000)) {
          ports.add(port);
        }
      }
      Runtime.getRuntime().addShutdownHook(new Thread(this::close, "stop-throwaway-cluster"));
      start();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(
          "cannot start a Redis Cluster (is redis-server installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while starting the Redis Cluster", e);
    }
  }

  Set<HostAndPort> nodes() {
    Set<HostAndPort> nodes = new LinkedHashSet<>();
    ports.forEach(port -> nodes.add(new HostAndPort("127.0.0.1", port)));
    return nodes;
  }

  private void start() throws IOException, InterruptedException {
    for (int port : ports) {
      Path nodeDir = Files.createDirectories(dir.resolve(Integer.toString(port)));
      processes.add(
          new ProcessBuilder(
                  "redis-server",
                  "--cluster-enabled",
                  "yes",
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  nodeDir.toString(),
                  "--cluster-config-file",
                  "nodes.conf")
              .redirectErrorStream(true)
              .redirectOutput(nodeDir.resolve("server.log").toFile())
              .start());
    }
    for (int port : ports) {
      await("redis-server on port " + port)
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> RedisTestServers.answersPing("127.0.0.1", port));
    }
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    ports.forEach(port -> create.add("127.0.0.1:" + port));
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    File log = dir.resolve("create.log").toFile();
    Process cli = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log).start();
    if (!cli.waitFor(30, TimeUnit.SECONDS) || cli.exitValue() != 0) {
      throw new IllegalStateException(
          "redis-cli --cluster create failed:\n" + Files.readString(log.toPath()));
    }
    await("cluster_state:ok on every node")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(this::clusterOk);
  }

  private boolean clusterOk() {
    for (int port : ports) {
      try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port))) {
        if (!jedis.clusterInfo().contains("cluster_state:ok")) {
          return false;
        }
      } catch (JedisException e) {
        return false; // not up yet: Awaitility asks again
      }
    }
    return true;
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort() == port;
    } catch (IOException e) {
      return false; // taken: the caller picks another port
    }
  }

  @Override
  public synchronized void close() {
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    processes.clear();
  }
}
