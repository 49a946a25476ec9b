package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.Job;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.BackendCapabilities;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A job result on a backend without durable steps fails the job with a plain message. */
class JobResultWithoutStepsTest {

  @Test
  void aResultOnABackendWithoutStepsFailsTheJobNamingTheResultNotAnInternalStep() {
    QueueBackend inner = InlineBackend.create();
    QueueBackend noSteps =
        new ForwardingQueueBackend() {
          @Override
          protected QueueBackend delegate() {
            return inner;
          }

          @Override
          public BackendCapabilities capabilities() {
            return inner.capabilities().withSteps(false);
          }
        };
    try (Keel keel =
        Keel.builder()
            .backend(noSteps)
            .register("t", Map.class, ctx -> JobOutcome.success(Map.of("n", 1)))
            .build()) {
      UUID id = keel.client().enqueue(JobRequest.of("t", Map.of()).withMaxAttempts(3)).id();
      try (Worker w =
          keel.worker().queue("default", 1).pollInterval(Duration.ofMillis(20)).build().start()) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> keel.client().find(id).orElseThrow().state() == JobState.FAILED);
      }
      Job failed = keel.client().find(id).orElseThrow();
      assertThat(failed.attempt()).as("deterministic: not retried").isEqualTo(1);
      assertThat(failed.lastError().message())
          .isEqualTo(
              "result: JobOutcome.success(result) needs a backend with durable steps"
                  + " (BackendCapabilities.steps)");
    }
  }
}
