package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.Worker;
import dev.keel.queue.internal.VirtualThreads;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KeelBuilderTest {

  @Test
  void anOptionSetTwiceIsRefusedWithItsCurrentValue() {
    Keel.Builder b = Keel.builder().maxPayloadBytes(1000);
    assertThatThrownBy(() -> b.maxPayloadBytes(2000))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessage("maxPayloadBytes was already set to 1000");
  }

  @Test
  void outOfRangeOptionsAreRefusedNotCorrected() {
    assertThatThrownBy(() -> Keel.builder().maxPayloadBytes(0))
        .hasMessageContaining("maxPayloadBytes");
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register("t", Map.class, JobHandler.of(m -> {}))
            .build()) {
      assertThatThrownBy(() -> keel.worker().queue("default", 0))
          .hasMessageContaining("concurrency");
      assertThatThrownBy(
              () ->
                  keel.worker()
                      .leaseDuration(Duration.ofSeconds(1))
                      .heartbeatInterval(Duration.ofSeconds(2))
                      .build())
          .hasMessageContaining("heartbeatInterval");
      assertThatThrownBy(() -> keel.worker().types("unknown")).hasMessageContaining("no handler");
    }
  }

  @Test
  void aWorkerNeedsARegisteredTypeAndABackendIsRequired() {
    assertThatThrownBy(() -> Keel.builder().build()).hasMessageContaining("no backend");
    try (Keel keel = Keel.builder().backend(InlineBackend.create()).build()) {
      assertThatThrownBy(() -> keel.worker().build())
          .hasMessageContaining("at least one registered job type");
    }
  }

  @Test
  void startAndCloseAreIdempotent() {
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register("t", Map.class, JobHandler.of(m -> {}))
            .build()) {
      Worker w = keel.worker().build();
      w.start();
      w.start();
      assertThat(w.isRunning()).isTrue();
      w.close();
      w.close();
      assertThat(w.isRunning()).isFalse();
      assertThatThrownBy(w::start).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void virtualThreadsRunHandlersOnJava21AndAreRefusedClearlyBefore() {
    AtomicReference<String> threadKind = new AtomicReference<>();
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register(
                "t",
                Map.class,
                JobHandler.of(m -> threadKind.set(Thread.currentThread().toString())))
            .build()) {
      if (!VirtualThreads.available()) {
        assertThatThrownBy(() -> keel.worker().virtualThreads(true))
            .isInstanceOf(KeelConfigurationException.class)
            .hasMessageContaining("Java 21");
        return;
      }
      UUID id = keel.client().enqueue(JobRequest.of("t", Map.of("n", 1))).id();
      try (Worker w =
          keel.worker().virtualThreads(true).pollInterval(Duration.ofMillis(50)).build().start()) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> keel.client().find(id).orElseThrow().state() == JobState.SUCCEEDED);
      }
      assertThat(threadKind.get()).startsWith("VirtualThread");
    }
  }
}
