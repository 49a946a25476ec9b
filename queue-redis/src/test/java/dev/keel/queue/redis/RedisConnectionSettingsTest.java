package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.testkit.TestJobs;
import dev.keel.queue.testkit.servers.ThrowawayRedisServer;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * What a URL carries besides the host, against a real server: an ACL user with a password that
 * needs percent-encoding, and a database other than 0. A private redis-server, so that its ACL
 * users never reach the shared one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisConnectionSettingsTest {
  private static final String USER = "keel-app";
  private static final String PASSWORD = "p@ss:w%rd";
  private static final String ENCODED_PASSWORD = "p%40ss%3Aw%25rd";

  private final TestJobs jobs = new TestJobs(InstantSource.system());
  private final String namespace =
      "test-connection-settings-" + UUID.randomUUID().toString().substring(0, 8);
  private ThrowawayRedisServer server;

  @BeforeAll
  void start() {
    server = new ThrowawayRedisServer();
    try (Jedis admin = admin()) {
      // A user who may do everything, and a default user who may do nothing, so that a backend
      // that ignored the URL's user would fail rather than pass by luck.
      admin.aclSetUser(USER, "on", ">" + PASSWORD, "~*", "&*", "+@all");
      admin.aclSetUser("default", "off");
    }
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Jedis admin() {
    return new Jedis(new HostAndPort("127.0.0.1", server.port()));
  }

  private Jedis adminAs(int database) {
    Jedis jedis = admin();
    jedis.auth(USER, PASSWORD);
    jedis.select(database);
    return jedis;
  }

  @Test
  void anAclUserWithAnEncodedPasswordAndADatabaseAreUsed() {
    String url = "redis://" + USER + ":" + ENCODED_PASSWORD + "@127.0.0.1:" + server.port() + "/3";
    NewJob job = jobs.of("settings").build();
    try (RedisBackend backend = RedisBackend.builder().url(url).namespace(namespace).build()) {
      backend.enqueue(EnqueueRequest.of(job));
      assertThat(backend.find(new JobRef("default", job.id()))).isPresent();
    }
    String jobKey = "{" + namespace + "}:job:" + job.id();
    try (Jedis db3 = adminAs(3);
        Jedis db0 = adminAs(0)) {
      assertThat(db3.exists(jobKey)).as("in database 3").isTrue();
      assertThat(db0.exists(jobKey)).as("in database 0").isFalse();
    }
  }

  @Test
  void aWrongPasswordIsReportedWithoutThePassword() {
    for (String url :
        List.of(
            "redis://" + USER + ":wrong-secret@127.0.0.1:" + server.port() + "/0?cluster=false",
            "redis://" + USER + ":wrong-secret@127.0.0.1:" + server.port() + "/0")) {
      assertThatThrownBy(
              () -> {
                try (RedisBackend backend =
                    RedisBackend.builder().url(url).namespace(namespace).build()) {
                  backend.ping();
                }
              })
          .as(url)
          .isInstanceOf(BackendUnavailableException.class)
          .hasMessageContaining("127.0.0.1:" + server.port())
          .hasMessageNotContaining("wrong-secret");
    }
  }
}
