package dev.keel.queue.testkit.servers;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A private Redis Cluster of masters on loopback ports, started with {@code redis-server
 * --cluster-enabled yes}, joined with {@code redis-cli --cluster create} and ready once every node
 * reports {@code cluster_state:ok}. Stopped by {@link #close()} and, as a backstop, at JVM exit.
 * Needs {@code redis-server} and {@code redis-cli} on the PATH.
 */
public final class ThrowawayRedisCluster implements AutoCloseable {
  private final List<Integer> ports;
  private final List<Process> processes = new ArrayList<>();
  private Path dir;

  private ThrowawayRedisCluster(List<Integer> ports) {
    this.ports = List.copyOf(ports);
  }

  /** A three-master cluster on random free ports whose cluster-bus ports (+10000) are free too. */
  public static ThrowawayRedisCluster onFreePorts() {
    List<Integer> ports = new ArrayList<>();
    while (ports.size() < 3) {
      int port = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
      if (!ports.contains(port)
          && TestServices.portFree(port)
          && TestServices.portFree(port + 10_000)) {
        ports.add(port);
      }
    }
    return onPorts(ports);
  }

  /** A cluster with one master on each of {@code ports}. */
  public static ThrowawayRedisCluster onPorts(List<Integer> ports) {
    ThrowawayRedisCluster cluster = new ThrowawayRedisCluster(ports);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "stop-throwaway-cluster"));
    try {
      cluster.start();
    } catch (IOException e) {
      cluster.close();
      throw new UncheckedIOException(
          "cannot start a Redis Cluster (is redis-server installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cluster.close();
      throw new IllegalStateException("interrupted while starting the Redis Cluster", e);
    }
    return cluster;
  }

  /** The loopback ports of the masters. */
  public List<Integer> ports() {
    return ports;
  }

  /**
   * A URL naming every master, e.g. {@code redis://127.0.0.1:7101,127.0.0.1:7102/0?cluster=true}.
   */
  public String url() {
    return urlOf(ports);
  }

  /** The cluster URL naming the masters on loopback {@code ports}. */
  public static String urlOf(List<Integer> ports) {
    return "redis://"
        + ports.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","))
        + "/0?cluster=true";
  }

  private void start() throws IOException, InterruptedException {
    dir = Files.createTempDirectory("keel-redis-cluster");
    for (int port : ports) {
      Path nodeDir = Files.createDirectories(dir.resolve(Integer.toString(port)));
      processes.add(
          RedisServerProcess.start(
              port,
              nodeDir,
              List.of(
                  "--cluster-enabled",
                  "yes",
                  "--appendonly",
                  "no",
                  "--cluster-config-file",
                  "nodes.conf")));
    }
    for (int port : ports) {
      await("redis-server on port " + port)
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> RedisProbe.answersPing("127.0.0.1", port));
    }
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    ports.forEach(port -> create.add("127.0.0.1:" + port));
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    File log = dir.resolve("create.log").toFile();
    Process cli = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log).start();
    if (!cli.waitFor(30, TimeUnit.SECONDS) || cli.exitValue() != 0) {
      throw new IllegalStateException(
          "redis-cli --cluster create failed; see " + log + ":\n" + Files.readString(log.toPath()));
    }
    await("cluster_state:ok on every node")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> RedisProbe.clusterStateOk(ports));
  }

  @Override
  public synchronized void close() {
    RedisServerProcess.stop(processes);
    processes.clear();
  }
}
