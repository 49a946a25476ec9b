package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.redis.internal.RedisConnections;
import dev.keel.queue.redis.internal.RedisUrl;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.SslVerifyMode;

class RedisUrlTest {

  @Test
  void parsesHostPortPasswordAndDatabase() {
    RedisUrl url = RedisUrl.parse("redis://:s3cret@example.org:6380/2", "X");
    assertThat(url.tls()).isFalse();
    assertThat(url.user()).isNull();
    assertThat(url.password()).isEqualTo("s3cret");
    assertThat(url.hosts()).containsExactly(new HostAndPort("example.org", 6380));
    assertThat(url.database()).isEqualTo(2);
    assertThat(url.cluster()).isEmpty();
  }

  @Test
  void defaultsToPort6379AndDatabase0() {
    RedisUrl url = RedisUrl.parse("redis://localhost", "X");
    assertThat(url.hosts()).containsExactly(new HostAndPort("localhost", 6379));
    assertThat(url.database()).isZero();
    assertThat(url.password()).isNull();
  }

  @Test
  void parsesTlsUserAndEncodedPassword() {
    RedisUrl url = RedisUrl.parse("rediss://alice:p%40ss@cache:6390/0", "X");
    assertThat(url.tls()).isTrue();
    assertThat(url.user()).isEqualTo("alice");
    assertThat(url.password()).isEqualTo("p@ss");
  }

  @Test
  void severalHostsAndTheClusterFlag() {
    RedisUrl url = RedisUrl.parse("redis://a:7101,b:7102,[::1]:7103?cluster=true&timeout=500", "X");
    assertThat(url.hosts())
        .containsExactly(
            new HostAndPort("a", 7101), new HostAndPort("b", 7102), new HostAndPort("::1", 7103));
    assertThat(url.cluster()).isEqualTo(Optional.of(true));
    assertThat(url.timeoutMillis()).isEqualTo(500);
  }

  @Test
  void maskedFormHidesThePassword() {
    RedisUrl url = RedisUrl.parse("redis://bob:topsecret@h:1/3", "X");
    assertThat(url.masked()).isEqualTo("redis://bob:****@h:1/3").doesNotContain("topsecret");
    assertThat(url.toString()).doesNotContain("topsecret");
  }

  @Test
  void malformedUrlsAreConfigurationErrorsNamingTheSourceWithoutThePassword() {
    for (String bad :
        new String[] {
          "http://:pw@h:1",
          "redis://:pw@",
          "redis://:pw@h:notaport",
          "redis://:pw@h:1/x",
          "redis://:pw@h:1/-1",
          "redis://:pw@h:1?foo=bar",
          "redis://:pw@h:1/3?cluster=true",
          "redis://:pw@h:99999",
          "redis",
          ""
        }) {
      assertThatThrownBy(() -> RedisUrl.parse(bad, "KEEL_REDIS_URL"))
          .as(bad)
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageContaining("KEEL_REDIS_URL")
          .hasMessageNotContaining(":pw@");
    }
  }

  @Test
  void aPercentThatStartsNoEscapeIsRefusedNamingTheFieldNotTakenLiterally() {
    assertThatThrownBy(() -> RedisUrl.parse("redis://alice:50%off@h:1", "KEEL_REDIS_URL"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("KEEL_REDIS_URL")
        .hasMessageContaining("the password has a '%'")
        .hasMessageContaining("%25")
        .hasMessageNotContaining("50%off");
    assertThatThrownBy(() -> RedisUrl.parse("redis://al%ice:pw@h:1", "KEEL_REDIS_URL"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("the user has a '%'");
    // Written as the rule says, the same password parses.
    assertThat(RedisUrl.parse("redis://alice:50%25off@h:1", "X").password()).isEqualTo("50%off");
  }

  @Test
  void verifyChoosesHowMuchOfTheCertificateIsChecked() {
    assertThat(RedisUrl.parse("rediss://h:1", "X").verifyHostName()).isTrue();
    assertThat(RedisUrl.parse("rediss://h:1?verify=full", "X").verifyHostName()).isTrue();
    RedisUrl caOnly = RedisUrl.parse("rediss://h:1?verify=ca&cluster=true", "X");
    assertThat(caOnly.verifyHostName()).isFalse();
    assertThat(RedisConnections.clientConfig(caOnly, 0, null).getSslOptions().getSslVerifyMode())
        .isEqualTo(SslVerifyMode.CA);
    assertThat(
            RedisConnections.clientConfig(RedisUrl.parse("rediss://h:1", "X"), 0, null)
                .getSslOptions()
                .getSslVerifyMode())
        .isEqualTo(SslVerifyMode.FULL);
    assertThat(RedisConnections.clientConfig(RedisUrl.parse("redis://h:1", "X"), 0, null).isSsl())
        .isFalse();

    assertThatThrownBy(() -> RedisUrl.parse("rediss://h:1?verify=none", "KEEL_REDIS_URL"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("verify must be full or ca");
    assertThatThrownBy(() -> RedisUrl.parse("redis://h:1?verify=ca", "KEEL_REDIS_URL"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("rediss://");
  }
}
