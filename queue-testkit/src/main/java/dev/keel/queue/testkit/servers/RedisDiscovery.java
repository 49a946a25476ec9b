package dev.keel.queue.testkit.servers;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Finds the Redis servers Keel's tests use, once per JVM.
 *
 * <p>Standalone: {@value #URL_VARIABLE}, else the local default 127.0.0.1:6379 if it answers PING,
 * else the module's fallback (Testcontainers, where the module has it), else a failure saying what
 * to start.
 *
 * <p>Cluster: {@value #CLUSTER_URL_VARIABLE}, else a healthy cluster already serving on loopback
 * ports 7101–7103, else a {@link ThrowawayRedisCluster} started on those ports and stopped at JVM
 * exit.
 */
public final class RedisDiscovery {
  /** The variable naming the standalone Redis, e.g. {@code redis://127.0.0.1:6379/0}. */
  public static final String URL_VARIABLE = "KEEL_TEST_REDIS_URL";

  /** The variable naming the cluster, e.g. {@code redis://127.0.0.1:7101,127.0.0.1:7102/0}. */
  public static final String CLUSTER_URL_VARIABLE = "KEEL_TEST_REDIS_CLUSTER_URL";

  /** The local default standalone Redis. */
  public static final String LOCAL_URL = "redis://127.0.0.1:6379/0";

  private static final List<Integer> CLUSTER_PORTS = List.of(7101, 7102, 7103);
  private static String standaloneUrl;
  private static String clusterUrl;

  private RedisDiscovery() {}

  /** The standalone Redis, for modules without a fallback of their own. */
  public static String standaloneUrl() {
    return standaloneUrl(TestServices.noFallback(), null);
  }

  /**
   * The standalone Redis.
   *
   * @param fallback a Redis URL the module can provide itself when there is no other (empty if it
   *     cannot)
   * @param fallbackHint what makes the fallback work, for the failure message (e.g. "make Docker
   *     available for Testcontainers"), or null if there is no fallback
   */
  public static synchronized String standaloneUrl(
      Supplier<Optional<String>> fallback, String fallbackHint) {
    if (standaloneUrl == null) {
      standaloneUrl =
          TestServices.locate(
              TestServices.explicitUrl(URL_VARIABLE),
              () ->
                  RedisProbe.answersPing("127.0.0.1", 6379)
                      ? Optional.of(LOCAL_URL)
                      : Optional.empty(),
              fallback,
              "No Redis for the tests: set "
                  + URL_VARIABLE
                  + " (e.g. "
                  + LOCAL_URL
                  + ") or start redis-server on 127.0.0.1:6379"
                  + (fallbackHint == null ? "" : ", or " + fallbackHint)
                  + ".");
    }
    return standaloneUrl;
  }

  /** A URL naming every master of the test cluster, e.g. {@code redis://127.0.0.1:7101,...}. */
  public static synchronized String clusterUrl() {
    if (clusterUrl == null) {
      clusterUrl =
          TestServices.explicitUrl(CLUSTER_URL_VARIABLE)
              .or(RedisDiscovery::runningCluster)
              .orElseGet(() -> ThrowawayRedisCluster.onPorts(CLUSTER_PORTS).url());
    }
    return clusterUrl;
  }

  private static Optional<String> runningCluster() {
    boolean anyAnswers = false;
    for (int port : CLUSTER_PORTS) {
      anyAnswers |= RedisProbe.answersPing("127.0.0.1", port);
    }
    if (!anyAnswers) {
      return Optional.empty();
    }
    if (!RedisProbe.clusterStateOk(CLUSTER_PORTS)) {
      throw new IllegalStateException(
          "Ports 7101-7103 are taken but do not serve a healthy Redis Cluster; stop what runs"
              + " there or set "
              + CLUSTER_URL_VARIABLE);
    }
    return Optional.of(ThrowawayRedisCluster.urlOf(CLUSTER_PORTS));
  }
}
