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
}
