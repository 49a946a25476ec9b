package dev.keel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.DrainReport;
import dev.keel.queue.Job;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.inline.InlineBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JobTypeLimitsTest {

  @Test
  void jobsOverTheirTypesLimitAreDeferredToTheExactAllowedTimeWithoutUsingAnAttempt() {
    ManualClock clock =
        new ManualClock(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli() * 1_000);
    RateLimiter twoPerSecond = LocalRateLimiter.builder(Limit.perSecond(2)).clock(clock).build();
    AtomicInteger sent = new AtomicInteger();
    try (Keel keel =
        Keel.builder()
            .clock(clock)
            .backend(InlineBackend.create(clock))
            .register("sms.send", Map.class, JobHandler.of(m -> sent.incrementAndGet()))
            .register("email.send", Map.class, JobHandler.of(m -> {}))
            .throttle(JobTypeLimits.builder().limit("sms.send", twoPerSecond).build())
            .build()) {
      for (int i = 0; i < 5; i++) {
        keel.client().enqueue(JobRequest.of("sms.send", Map.of("n", i)));
      }
      keel.client().enqueue(JobRequest.of("email.send", Map.of("n", 0)));

      DrainReport first = keel.drain();
      assertThat(sent).hasValue(2);
      assertThat(first.succeeded()).isEqualTo(3); // two SMS and the unlimited e-mail
      assertThat(first.snoozed()).isEqualTo(3);
      List<Job> deferred =
          keel.client()
              .list(JobQuery.tenant("default").withType("sms.send").withStates(JobState.PENDING))
              .jobs();
      assertThat(deferred).hasSize(3).allSatisfy(j -> assertThat(j.attempt()).isZero());
      assertThat(deferred).allSatisfy(j -> assertThat(j.runAt()).isAfter(clock.instant()));
      assertThat(deferred.get(0).runAt()).isEqualTo(clock.instant().plusMillis(500));

      clock.advance(Duration.ofSeconds(1));
      keel.drain();
      assertThat(sent).hasValue(4);
      clock.advance(Duration.ofSeconds(1));
      keel.drain();
      assertThat(sent).hasValue(5);
    }
  }

  @Test
  void perTenantLimitsGiveEachTenantItsOwnBucket() {
    ManualClock clock =
        new ManualClock(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli() * 1_000);
    RateLimiter onePerMinute = LocalRateLimiter.builder(Limit.perMinute(1)).clock(clock).build();
    AtomicInteger sent = new AtomicInteger();
    try (Keel keel =
        Keel.builder()
            .clock(clock)
            .backend(InlineBackend.create(clock))
            .register("report", Map.class, JobHandler.of(m -> sent.incrementAndGet()))
            .throttle(JobTypeLimits.builder().limitPerTenant("report", onePerMinute).build())
            .build()) {
      for (String tenant : List.of("acme", "acme", "globex")) {
        keel.client().enqueue(JobRequest.of("report", Map.of("t", tenant)).withTenant(tenant));
      }
      keel.drain();
      assertThat(sent).hasValue(2); // one per tenant
    }
  }

  @Test
  void aTypeIsLimitedOnce() {
    RateLimiter l = LocalRateLimiter.builder(Limit.perSecond(1)).build();
    assertThatThrownBy(() -> JobTypeLimits.builder().limit("a", l).limit("a", l))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("'a' was already set");
  }
}
