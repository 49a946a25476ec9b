package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.ClaimResponse;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.WakeupListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A worker told that signals may have been missed claims in every queue it serves. */
class MissedSignalsTest {

  /** Loses every per-queue signal, as a backend that is not yet listening does. */
  private static final class DeafBackend extends ForwardingQueueBackend {
    final QueueBackend inner = InlineBackend.create();
    final AtomicReference<WakeupListener> listener = new AtomicReference<>();
    final AtomicInteger claimsAnswered = new AtomicInteger();

    @Override
    protected QueueBackend delegate() {
      return inner;
    }

    @Override
    public ClaimResponse claim(ClaimRequest request) {
      ClaimResponse response = super.claim(request);
      claimsAnswered.incrementAndGet();
      return response;
    }

    @Override
    public Subscription subscribe(WakeupListener l) {
      listener.set(l);
      return () -> listener.set(null);
    }
  }

  @Test
  void anIdleWorkerClaimsInEveryQueueWhenSignalsMayHaveBeenMissed() {
    DeafBackend backend = new DeafBackend();
    List<String> ran = new CopyOnWriteArrayList<>();
    try (Keel keel =
        Keel.builder()
            .backend(backend)
            .register("t", Map.class, JobHandler.of(m -> ran.add((String) m.get("q"))))
            .build()) {
      try (Worker worker =
          keel.worker()
              .queue("a", 1)
              .queue("b", 1)
              .pollInterval(Duration.ofMinutes(10))
              .build()
              .start()) {
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.listener.get() != null);
        // The worker's first round (one claim per queue) comes back empty; after it, only a
        // wake-up can make it claim again before its poll, ten minutes away.
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.claimsAnswered.get() >= 2);
        int claimsBefore = backend.claimsAnswered.get();
        keel.client().enqueue(JobRequest.of("t", Map.of("q", "a")).withQueue("a"));
        keel.client().enqueue(JobRequest.of("t", Map.of("q", "b")).withQueue("b"));
        assertThat(backend.claimsAnswered)
            .as("no signal reached the worker")
            .hasValue(claimsBefore);

        backend.listener.get().signalsMayHaveBeenMissed();
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 2);
        assertThat(ran).containsExactlyInAnyOrder("a", "b");
      }
    }
  }
}
