package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.DrainReport;
import dev.keel.queue.Job;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the engine does when things around it fail. */
class EngineFailureModesTest {

  /** Refuses, for ever, any finish call that contains one particular job. */
  private static final class RefusingBackend extends ForwardingQueueBackend {
    final QueueBackend inner = InlineBackend.create();
    volatile UUID poisoned;

    @Override
    protected QueueBackend delegate() {
      return inner;
    }

    @Override
    public FencedResult finish(FinishRequest request) {
      for (Finish f : request.finishes()) {
        if (f.lease().jobId().equals(poisoned)) {
          throw new IllegalStateException("value rejected by the store");
        }
      }
      return super.finish(request);
    }
  }

  @Test
  void oneResultTheBackendRefusesForGoodDoesNotHoldBackTheOthers() {
    RefusingBackend backend = new RefusingBackend();
    CountDownLatch go = new CountDownLatch(1);
    try (Keel keel =
        Keel.builder()
            .backend(backend)
            .register("t", Map.class, JobHandler.of(m -> go.await()))
            .build()) {
      List<UUID> ids =
          keel
              .client()
              .enqueueAll(
                  List.of(
                      JobRequest.of("t", Map.of("n", 1)),
                      JobRequest.of("t", Map.of("n", 2)),
                      JobRequest.of("t", Map.of("n", 3))))
              .stream()
              .map(r -> r.id())
              .toList();
      backend.poisoned = ids.get(1);
      try (Worker w =
          keel.worker()
              .queue("default", 3)
              .pollInterval(Duration.ofMillis(20))
              .maintenance(false)
              .build()
              .start()) {
        await().atMost(Duration.ofSeconds(10)).until(() -> w.activeJobs() == 3);
        go.countDown(); // all three results reach the batcher together
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    keel.client().find(ids.get(0)).orElseThrow().state() == JobState.SUCCEEDED
                        && keel.client().find(ids.get(2)).orElseThrow().state()
                            == JobState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(30)).until(() -> w.activeJobs() == 0);
      }
      // The refused one stays RUNNING until its lease expires and maintenance rescues it.
      assertThat(keel.client().find(ids.get(1)).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }
  }

  @Test
  void aLoneResultTheBackendRefusesForGoodIsGivenUpOnWhileTheBackendAnswers() {
    RefusingBackend backend = new RefusingBackend();
    try (Keel keel =
        Keel.builder().backend(backend).register("t", Map.class, JobHandler.of(m -> {})).build()) {
      UUID id = keel.client().enqueue(JobRequest.of("t", Map.of("n", 1))).id();
      backend.poisoned = id;
      try (Worker w =
          keel.worker()
              .queue("default", 1)
              .pollInterval(Duration.ofMillis(20))
              .maintenance(false)
              .build()
              .start()) {
        await().atMost(Duration.ofSeconds(10)).until(() -> w.activeJobs() == 1);
        // Five failed tries with backoff (about 1.5 s), then a ping shows the backend answers.
        await().atMost(Duration.ofSeconds(20)).until(() -> w.activeJobs() == 0);
      }
      assertThat(keel.client().find(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }
  }

  @Test
  void aJobInterruptedByShutdownOnItsLastAttemptIsNotFailed() {
    CountDownLatch started = new CountDownLatch(1);
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register(
                "block",
                Map.class,
                JobHandler.of(
                    m -> {
                      started.countDown();
                      new CountDownLatch(1).await();
                    }))
            .build()) {
      UUID id =
          keel.client().enqueue(JobRequest.of("block", Map.of("n", 1)).withMaxAttempts(1)).id();
      Worker w =
          keel.worker()
              .queue("default", 1)
              .shutdownGrace(Duration.ZERO)
              .pollInterval(Duration.ofMillis(20))
              .build()
              .start();
      await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
      w.close();
      Job j = keel.client().find(id).orElseThrow();
      assertThat(j.state()).isEqualTo(JobState.PENDING);
      assertThat(j.attempt()).isZero();
    }
  }

  @Test
  void drainStopsWhenItsThreadIsInterruptedAndKeepsTheInterrupt() {
    AtomicInteger ran = new AtomicInteger();
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register("t", Map.class, JobHandler.of(m -> ran.incrementAndGet()))
            .build()) {
      keel.client().enqueue(JobRequest.of("t", Map.of("n", 1)));
      Thread.currentThread().interrupt();
      DrainReport r = keel.drain();
      assertThat(Thread.interrupted()).as("interrupt flag kept (and cleared here)").isTrue();
      assertThat(r.stoppedBecause()).isEqualTo(DrainReport.StopReason.INTERRUPTED);
      assertThat(ran).hasValue(0);
      assertThat(keel.drain().ran()).isEqualTo(1);
    }
  }

  @Test
  void aRetryPolicyThatThrowsStillSchedulesARetry() {
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register(
                dev.keel.queue.JobType.of(
                        "t",
                        Map.class,
                        JobHandler.<Map>of(
                            m -> {
                              throw new IllegalStateException("boom");
                            }))
                    .withRetryPolicy(
                        attempt -> {
                          throw new ArithmeticException("bad policy");
                        }))
            .build()) {
      UUID id = keel.client().enqueue(JobRequest.of("t", Map.of("n", 1))).id();
      assertThat(keel.drain().retried()).isEqualTo(1);
      Job j = keel.client().find(id).orElseThrow();
      assertThat(j.state()).isEqualTo(JobState.PENDING);
      assertThat(j.lastError().message()).contains("boom");
    }
  }

  /**
   * A heartbeat that stalls for longer than the lease, once: as if the worker's process was paused
   * (SIGSTOP) or its connection held, so its timer could not even notice the lease running out.
   */
  private static final class StallingBackend extends ForwardingQueueBackend {
    final QueueBackend inner = InlineBackend.create();
    final java.util.concurrent.atomic.AtomicBoolean stall =
        new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    protected QueueBackend delegate() {
      return inner;
    }

    @Override
    public FencedResult heartbeat(dev.keel.queue.spi.HeartbeatRequest request) {
      if (stall.compareAndSet(true, false)) {
        try {
          Thread.sleep(2_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while stalled", e);
        }
      }
      return super.heartbeat(request);
    }
  }

  @Test
  void aPrefetchedJobWhoseLeaseNoHeartbeatConfirmedIsGivenBackNotStarted() throws Exception {
    StallingBackend backend = new StallingBackend();
    CountDownLatch inFirst = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    List<dev.keel.queue.JobEvent> released = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Keel keel =
        Keel.builder()
            .backend(backend)
            .listener(
                e -> {
                  if (e instanceof dev.keel.queue.JobEvent.Released) {
                    released.add(e);
                  }
                })
            .register(
                "t",
                Map.class,
                JobHandler.of(
                    m -> {
                      started.incrementAndGet();
                      if (((Number) m.get("n")).intValue() == 1) {
                        inFirst.countDown();
                        backend.stall.set(true);
                        Thread.sleep(1_200); // longer than the lease, no heartbeat gets through
                      }
                    }))
            .build()) {
      keel.client().enqueue(JobRequest.of("t", Map.of("n", 1)));
      UUID second = keel.client().enqueue(JobRequest.of("t", Map.of("n", 2))).id();
      try (Worker w =
          keel.worker()
              .queue("default", 1)
              .prefetch(1)
              .leaseDuration(Duration.ofMillis(900))
              .heartbeatInterval(Duration.ofMillis(300))
              .pollInterval(Duration.ofMillis(20))
              .maintenance(false)
              .build()
              .start()) {
        assertThat(inFirst.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // The second job sat in prefetch while the lease ran out unconfirmed: it is given back
        // (the lease was still the job's, so the release was applied) and then runs normally.
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> keel.client().find(second).orElseThrow().state() == JobState.SUCCEEDED);
        Job done = keel.client().find(second).orElseThrow();
        assertThat(started.get()).isEqualTo(2);
        assertThat(released)
            .as("given back once, unstarted")
            .singleElement()
            .satisfies(
                e ->
                    assertThat(((dev.keel.queue.JobEvent.Released) e).job().id())
                        .isEqualTo(second));
        assertThat(done.attempt()).as("the give-back used no attempt").isEqualTo(1);
      }
    }
  }

  /** Applies the first finish call, then loses its answer, as a connection broken mid-reply. */
  private static final class AnswerLosingBackend extends ForwardingQueueBackend {
    final QueueBackend inner = InlineBackend.create();
    final AtomicInteger finishCalls = new AtomicInteger();

    @Override
    protected QueueBackend delegate() {
      return inner;
    }

    @Override
    public FencedResult finish(FinishRequest request) {
      FencedResult applied = super.finish(request);
      if (finishCalls.incrementAndGet() == 1) {
        throw new IllegalStateException("connection reset while reading the answer");
      }
      return applied;
    }
  }

  @Test
  void aSuccessStoredByATryWhoseAnswerWasLostIsReportedStoredNotDiscarded() {
    AnswerLosingBackend backend = new AnswerLosingBackend();
    List<dev.keel.queue.JobEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Keel keel =
        Keel.builder()
            .backend(backend)
            .listener(
                e -> {
                  if (e instanceof dev.keel.queue.JobEvent.Succeeded
                      || e instanceof dev.keel.queue.JobEvent.LeaseLost) {
                    events.add(e);
                  }
                })
            .register("t", Map.class, JobHandler.of(m -> {}))
            .build()) {
      UUID id = keel.client().enqueue(JobRequest.of("t", Map.of("n", 1))).id();
      try (Worker w =
          keel.worker()
              .queue("default", 1)
              .pollInterval(Duration.ofMillis(20))
              .maintenance(false)
              .build()
              .start()) {
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.finishCalls.get() >= 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> w.activeJobs() == 0);
      }
      assertThat(keel.client().find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(events)
          .as("the resent success found the job already SUCCEEDED by this very claim")
          .singleElement()
          .isInstanceOf(dev.keel.queue.JobEvent.Succeeded.class);
    }
  }
}
