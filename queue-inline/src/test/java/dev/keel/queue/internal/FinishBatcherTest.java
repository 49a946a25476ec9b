package dev.keel.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.Job;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.RescueRequest;
import dev.keel.queue.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The finish batcher when a backend call fails part way through a batch. */
class FinishBatcherTest {

  /** Fails the second finish call once, before applying it. */
  private static final class SecondCallFails extends ForwardingQueueBackend {
    final QueueBackend inner;
    final AtomicInteger calls = new AtomicInteger();

    SecondCallFails(QueueBackend inner) {
      this.inner = inner;
    }

    @Override
    protected QueueBackend delegate() {
      return inner;
    }

    @Override
    public FencedResult finish(FinishRequest request) {
      if (calls.incrementAndGet() == 2) {
        throw new IllegalStateException("connection refused");
      }
      return super.finish(request);
    }
  }

  @Test
  void aBatchWhoseSecondCallFailsRetriesOnlyWhatWasNotAnswered() throws Exception {
    ManualClock clock = ManualClock.startingAtDefault();
    SecondCallFails backend = new SecondCallFails(InlineBackend.create(clock));
    try (Keel keel = Keel.builder().backend(backend).build()) {
      UUID id = keel.client().enqueue(JobRequest.of("t", Map.of("n", 1))).id();
      ClaimRequest claim =
          new ClaimRequest(
              "w1", Set.of("default"), Set.of(), Set.of(), "default", 1, Duration.ofSeconds(30));
      Job stale = backend.claim(claim).jobs().get(0);
      clock.advance(Duration.ofMinutes(1));
      backend.rescue(new RescueRequest(10));
      Job current = backend.claim(claim).jobs().get(0);
      assertThat(current.id()).isEqualTo(id);
      assertThat(current.attempt()).isEqualTo(stale.attempt() + 1);

      List<JobEvent> events = new CopyOnWriteArrayList<>();
      List<RunningJob> stored = new CopyOnWriteArrayList<>();
      FinishBatcher batcher =
          new FinishBatcher(
              backend,
              10,
              new Listeners(List.of(events::add)),
              new BlockedJobs(backend),
              stored::add,
              "test-finisher");
      // Both results of the one job go into one batch: the stale one in the first call (refused),
      // the current one in a second call, which fails once and is retried.
      RunningJob staleRun = new RunningJob(stale, null);
      RunningJob currentRun = new RunningJob(current, null);
      batcher.submit(
          new Completion(
              staleRun,
              new Finish.Succeed(staleRun.lease()),
              new JobEvent.Succeeded(stale, Duration.ZERO)));
      batcher.submit(
          new Completion(
              currentRun,
              new Finish.Succeed(currentRun.lease()),
              new JobEvent.Succeeded(current, Duration.ZERO)));
      batcher.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> stored.size() >= 2);
      assertThat(batcher.stop(Duration.ofSeconds(5))).isTrue();

      assertThat(keel.client().find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(stored).as("each result answered once").containsExactly(staleRun, currentRun);
      assertThat(events).hasSize(2);
      assertThat(events.get(0)).isInstanceOf(JobEvent.LeaseLost.class);
      assertThat(events.get(1)).isInstanceOf(JobEvent.Succeeded.class);
    }
  }
}
