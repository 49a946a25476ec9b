package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.BackendCapabilities;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.ClaimResponse;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How deep a worker claims ahead when it sizes its own prefetch. */
class AdaptivePrefetchTest {
  private static final int CONCURRENCY = 2;
  private static final int JOBS = 400;

  /** Reports a preferred claim size (or none) and records the largest claim asked for. */
  private static final class ClaimSizeRecorder extends ForwardingQueueBackend {
    final QueueBackend inner = InlineBackend.create();
    final Integer preferredClaimSize;
    final AtomicInteger largestClaim = new AtomicInteger();

    ClaimSizeRecorder(Integer preferredClaimSize) {
      this.preferredClaimSize = preferredClaimSize;
    }

    @Override
    protected QueueBackend delegate() {
      return inner;
    }

    @Override
    public BackendCapabilities capabilities() {
      BackendCapabilities c = inner.capabilities();
      return preferredClaimSize == null
          ? c
          : new BackendCapabilities(
              c.name(),
              c.durable(),
              c.transactionalEnqueue(),
              c.wakeups(),
              c.maxBatchSize(),
              preferredClaimSize,
              c.schedules(),
              c.opsData());
    }

    @Override
    public ClaimResponse claim(ClaimRequest request) {
      largestClaim.accumulateAndGet(request.limit(), Math::max);
      return super.claim(request);
    }
  }

  /** Runs JOBS no-op jobs through a worker of CONCURRENCY slots; returns the largest claim. */
  private static int largestClaimBurningDown(ClaimSizeRecorder backend) {
    AtomicInteger done = new AtomicInteger();
    try (Keel keel =
        Keel.builder()
            .backend(backend)
            .register("tick", Map.class, JobHandler.of(m -> done.incrementAndGet()))
            .build()) {
      List<JobRequest<Map<String, Integer>>> jobs = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        jobs.add(JobRequest.of("tick", Map.of("n", i)));
      }
      keel.client().enqueueAll(jobs);
      try (Worker w = keel.worker().queue("default", CONCURRENCY).build().start()) {
        await().atMost(Duration.ofSeconds(30)).until(() -> done.get() == JOBS);
      }
    }
    return backend.largestClaim.get();
  }

  @Test
  void fastHandlersGetDeepClaimsWhenTheBackendStatesNoPreference() {
    // The control for the test below: no-op handlers make the worker claim further ahead than the
    // preferred size used there (it would take handlers of 12 ms or more not to).
    assertThat(largestClaimBurningDown(new ClaimSizeRecorder(null))).isGreaterThan(CONCURRENCY + 8);
  }

  @Test
  void claimsAheadStayWithinTheBackendsPreferredClaimSize() {
    int largest = largestClaimBurningDown(new ClaimSizeRecorder(8));
    // A claim fills the free slots plus the prefetch: at most concurrency + preferred size.
    assertThat(largest).isBetween(1, CONCURRENCY + 8);
  }

  @Test
  void aPreferredClaimSizeOutsideOneToTheBatchLimitIsRefused() {
    assertThatThrownBy(() -> new BackendCapabilities("x", false, false, false, 100, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("preferredClaimSize")
        .hasMessageContaining("between 1 and maxBatchSize (100)");
    assertThatThrownBy(() -> new BackendCapabilities("x", false, false, false, 100, 101))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("preferredClaimSize");
    assertThatThrownBy(() -> new BackendCapabilities("x", false, false, false, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBatchSize must be at least 1");
  }
}
