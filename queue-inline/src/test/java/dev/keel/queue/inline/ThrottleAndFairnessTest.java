package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.DrainOptions;
import dev.keel.queue.DrainReport;
import dev.keel.queue.InvalidJobException;
import dev.keel.queue.Job;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.testkit.KeelTesting;
import dev.keel.queue.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ThrottleAndFairnessTest {

  @Test
  void aThrottledJobIsDeferredToTheAllowedTimeWithoutUsingAnAttempt() {
    ManualClock clock = ManualClock.startingAtDefault();
    AtomicInteger allowed = new AtomicInteger(1);
    try (Keel keel =
        Keel.builder()
            .clock(clock)
            .backend(InlineBackend.create(clock))
            .register("send", Map.class, JobHandler.of(m -> {}))
            .throttle(job -> allowed.getAndDecrement() > 0 ? Duration.ZERO : Duration.ofSeconds(30))
            .build()) {
      UUID first = keel.client().enqueue(JobRequest.of("send", Map.of("n", 1))).id();
      UUID second = keel.client().enqueue(JobRequest.of("send", Map.of("n", 2))).id();
      DrainReport r = keel.drain();
      assertThat(r.succeeded()).isEqualTo(1);
      assertThat(r.snoozed()).isEqualTo(1);
      Job deferred = keel.client().find(second).orElseThrow();
      assertThat(deferred.state()).isEqualTo(JobState.PENDING);
      assertThat(deferred.attempt()).isZero();
      assertThat(deferred.runAt()).isEqualTo(clock.instant().plusSeconds(30));
      assertThat(keel.client().find(first).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      allowed.set(1);
      clock.advance(Duration.ofSeconds(30));
      assertThat(keel.drain().succeeded()).isEqualTo(1);
    }
  }

  @Test
  void aFailingThrottleDefersInsteadOfRunningUnthrottled() {
    AtomicInteger ran = new AtomicInteger();
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register("send", Map.class, JobHandler.of(m -> ran.incrementAndGet()))
            .throttle(
                job -> {
                  throw new IllegalStateException("limiter down");
                })
            .build()) {
      keel.client().enqueue(JobRequest.of("send", Map.of("n", 1)));
      assertThat(keel.drain().snoozed()).isEqualTo(1);
      assertThat(ran).hasValue(0);
    }
  }

  @Test
  void aTypeConcurrencyLimitHoldsAndAFreedSlotClaimsTheNextJobWithoutWaitingForThePoll() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register(
                "export",
                Map.class,
                JobHandler.of(
                    m -> {
                      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                      running.decrementAndGet();
                      done.incrementAndGet();
                    }))
            .build()) {
      List<JobRequest<Map<String, Integer>>> jobs = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        jobs.add(JobRequest.of("export", Map.of("n", i)));
      }
      keel.client().enqueueAll(jobs);
      try (Worker w =
          keel.worker()
              .queue("default", 4)
              .typeConcurrency("export", 1)
              // Far longer than the test may take: only the freed slot can claim the next job.
              .pollInterval(Duration.ofMinutes(5))
              .build()
              .start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> done.get() == 30);
      }
    }
    assertThat(maxRunning).hasValue(1);
  }

  @Test
  void aBusyTypeCannotStarveAMaintenanceType() {
    List<String> order = new CopyOnWriteArrayList<>();
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register(
                "email",
                Map.class,
                JobHandler.of(
                    m -> {
                      // The claims are right either way: cleanup is claimed in the first round.
                      // But no-op handlers finish hundreds of jobs while the thread that took
                      // cleanup waits to be scheduled on a busy 2-core machine (cleanup ran after
                      // up to 1,200 e-mails in 150 repetitions). A millisecond of work per e-mail
                      // makes completion order follow claim order.
                      LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
                      order.add("email");
                    }))
            .register("cleanup", Map.class, JobHandler.of(m -> order.add("cleanup")))
            .build()) {
      List<JobRequest<Map<String, Integer>>> emails = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        emails.add(JobRequest.of("email", Map.of("n", i)));
      }
      keel.client().enqueueAll(emails);
      keel.client().enqueue(JobRequest.of("cleanup", Map.of("n", 0)));
      try (Worker w =
          keel.worker()
              .queue("default", 2)
              .typeQuota("email", 1)
              .pollInterval(Duration.ofMillis(20))
              .build()
              .start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> order.contains("cleanup"));
      }
      // Without the quota, cleanup (enqueued last, same priority) would run after all 2000 e-mails.
      assertThat(order.indexOf("cleanup")).isLessThan(10);
    }
  }

  @Test
  void drainHonoursPerTypeMaximumsAndValidatesThemStrictly() {
    ManualClock clock = ManualClock.startingAtDefault();
    try (Keel keel =
        Keel.builder()
            .clock(clock)
            .backend(InlineBackend.create(clock))
            .register("a", Map.class, JobHandler.of(m -> {}))
            .register("b", Map.class, JobHandler.of(m -> {}))
            .build()) {
      for (int i = 0; i < 5; i++) {
        keel.client().enqueue(JobRequest.of("a", Map.of("n", i)));
        keel.client().enqueue(JobRequest.of("b", Map.of("n", i)));
      }
      DrainReport r = keel.drain(DrainOptions.defaults().withMaxPerType("a", 2));
      assertThat(r.ran()).isEqualTo(7);
      KeelTesting.enqueued(keel).ofType("a").inState(JobState.PENDING).assertCount(3);
      assertThatThrownBy(() -> keel.drain(DrainOptions.defaults().withMaxPerType("nope", 1)))
          .isInstanceOf(InvalidJobException.class)
          .hasMessageContaining("drain.maxPerType.nope");
      assertThatThrownBy(() -> DrainOptions.defaults().withMaxPerType("a", -1))
          .isInstanceOf(InvalidJobException.class)
          .hasMessageContaining("drain.maxPerType.a");
      assertThatThrownBy(
              () -> DrainOptions.defaults().withMaxPerType("a", DrainOptions.MAX_JOBS_CAP + 1))
          .hasMessageContaining("must be between 0 and");
    }
  }

  @Test
  void drainUntilIdleRunsRetriesByMovingTheManualClock() {
    ManualClock clock = ManualClock.startingAtDefault();
    AtomicInteger calls = new AtomicInteger();
    try (Keel keel =
        Keel.builder()
            .clock(clock)
            .backend(InlineBackend.create(clock))
            .register(
                "flaky",
                Map.class,
                JobHandler.of(
                    m -> {
                      if (calls.incrementAndGet() < 3) {
                        throw new IllegalStateException("not yet");
                      }
                    }))
            .build()) {
      UUID id = keel.client().enqueue(JobRequest.of("flaky", Map.of("n", 1))).id();
      KeelTesting.DrainTotals t = KeelTesting.drainUntilIdle(keel, clock);
      assertThat(t.retried()).isEqualTo(2);
      assertThat(t.succeeded()).isEqualTo(1);
      assertThat(keel.client().find(id).orElseThrow().attempt()).isEqualTo(3);
    }
  }
}
