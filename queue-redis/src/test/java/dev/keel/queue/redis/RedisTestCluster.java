package dev.keel.queue.redis;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A real three-master Redis Cluster on loopback ports 7101–7103 for tests, once per JVM. Uses
 * {@code KEEL_TEST_REDIS_CLUSTER_URL} if set; reuses a cluster already serving on those ports;
 * otherwise starts three {@code redis-server --cluster-enabled yes} processes, joins them with
 * {@code redis-cli --cluster create}, waits for {@code cluster_state:ok}, and stops them when the
 * JVM exits (a shutdown hook; surefire runs one JVM per module run).
 */
public final class RedisTestCluster {
  public static final String URL_VARIABLE = "KEEL_TEST_REDIS_CLUSTER_URL";
  private static final int[] PORTS = {7101, 7102, 7103};
  private static String url;
  private static final List<Process> processes = new ArrayList<>();
  private static Path dataDir;

  private RedisTestCluster() {}

  /** A URL naming every master, e.g. {@code redis://127.0.0.1:7101,127.0.0.1:7102,...}. */
  public static synchronized String url() {
    if (url == null) {
      url = discover();
    }
    return url;
  }

  private static String discover() {
    String explicit = System.getenv(URL_VARIABLE);
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    StringBuilder hosts = new StringBuilder();
    for (int port : PORTS) {
      hosts.append(hosts.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
    }
    String clusterUrl = "redis://" + hosts + "/0?cluster=true";
    boolean anyAnswers = false;
    for (int port : PORTS) {
      anyAnswers |= RedisTestServers.answersPing("127.0.0.1", port);
    }
    if (anyAnswers) {
      if (!clusterOk()) {
        throw new IllegalStateException(
            "Ports 7101-7103 are taken but do not serve a healthy Redis Cluster; stop what runs"
                + " there or set "
                + URL_VARIABLE);
      }
      return clusterUrl;
    }
    start();
    return clusterUrl;
  }

  private static void start() {
    try {
      dataDir = Files.createTempDirectory("keel-redis-cluster");
      Runtime.getRuntime().addShutdownHook(new Thread(RedisTestCluster::stop, "stop-test-cluster"));
      for (int port : PORTS) {
        Path dir = Files.createDirectories(dataDir.resolve(Integer.toString(port)));
        Process p =
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
                    dir.toString(),
                    "--cluster-config-file",
                    "nodes.conf")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile())
                .start();
        processes.add(p);
      }
      for (int port : PORTS) {
        await("redis-server on port " + port)
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> RedisTestServers.answersPing("127.0.0.1", port));
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int port : PORTS) {
        create.add("127.0.0.1:" + port);
      }
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      File log = dataDir.resolve("create.log").toFile();
      Process cli =
          new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log).start();
      if (!cli.waitFor(30, TimeUnit.SECONDS) || cli.exitValue() != 0) {
        throw new IllegalStateException(
            "redis-cli --cluster create failed; see "
                + log
                + ":\n"
                + Files.readString(log.toPath()));
      }
      await("cluster_state:ok on every node")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(RedisTestCluster::clusterOk);
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException(
          "cannot start the test cluster (is redis-server installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw new IllegalStateException("interrupted while starting the test cluster", e);
    }
  }

  private static boolean clusterOk() {
    for (int port : PORTS) {
      try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port))) {
        if (!jedis.clusterInfo().contains("cluster_state:ok")) {
          return false;
        }
      } catch (JedisException e) {
        return false; // not up yet, or not a cluster node
      }
    }
    return true;
  }

  private static synchronized void stop() {
    for (Process p : processes) {
      p.destroy();
    }
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
