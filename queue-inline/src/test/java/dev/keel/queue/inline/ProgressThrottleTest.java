package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.ProgressRequest;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ProgressThrottleTest {

  /** Records every progress write that reaches the backend. */
  private static final class RecordingBackend extends ForwardingQueueBackend {
    final QueueBackend inner;
    final List<Integer> written = new CopyOnWriteArrayList<>();

    RecordingBackend(QueueBackend inner) {
      this.inner = inner;
    }

    @Override
    protected QueueBackend delegate() {
      return inner;
    }

    @Override
    public FencedResult progress(ProgressRequest request) {
      request.updates().forEach(u -> written.add(u.progress().percent()));
      return super.progress(request);
    }
  }

  @Test
  void progressIsWrittenAtMostOncePerSecondAndTheLastValueAlwaysReachesTheBackend() {
    ManualClock clock = ManualClock.startingAtDefault();
    RecordingBackend backend = new RecordingBackend(InlineBackend.create(clock));
    try (Keel keel =
        Keel.builder()
            .clock(clock)
            .backend(backend)
            .register(
                "report",
                Map.class,
                ctx -> {
                  for (int p = 0; p <= 100; p++) {
                    ctx.progress(p, "page " + p);
                    if (p == 50) {
                      clock.advance(Duration.ofMillis(1_000));
                    }
                  }
                  return JobOutcome.success();
                })
            .build()) {
      UUID id = keel.client().enqueue(JobRequest.of("report", Map.of("n", 1))).id();
      keel.drain();
      // 0 is written at once, 51 after a second passed, 100 (the last) before the job finishes;
      // the 98 values in between never reach the backend.
      assertThat(backend.written).containsExactly(0, 51, 100);
      assertThat(keel.client().find(id).orElseThrow().progress().percent()).isEqualTo(100);
    }
  }
}
