package dev.keel.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.JobClient;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.spring.Payloads.Welcome;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The starter on Redis, each run in a key prefix of its own. */
class RedisAutoConfigurationTest {

  @Test
  void redisFromItsUrlRunsTheDiscoveredHandlers() {
    String namespace = "keel-spring-test-" + UUID.randomUUID();
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KeelAutoConfiguration.class))
        .withUserConfiguration(Handlers.class)
        .withPropertyValues(
            "keel.backend=redis",
            "keel.redis.url=" + TestServers.redisUrl(),
            "keel.redis.namespace=" + namespace)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Keel keel = context.getBean(Keel.class);
              assertThat(keel.health().backend()).containsIgnoringCase("redis");
              JobClient client = context.getBean(JobClient.class);
              UUID id = client.enqueue(JobRequest.of("welcome", new Welcome("r@example.com"))).id();
              keel.drain();
              assertThat(client.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
              assertThat(context.getBean(Handlers.Mailer.class).sent)
                  .containsExactly("r@example.com");
            });
  }
}
