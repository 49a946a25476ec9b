package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.BatchRequest;
import dev.keel.queue.BatchResult;
import dev.keel.queue.BatchState;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.testkit.ManualClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What an application's test suite does with the inline backend: {@code keel.drain()} runs a
 * pipeline of dependent jobs and a batch with its callback to the end, in order, in one call.
 */
class DrainLinkedJobsTest {
  @Test
  void drainRunsDependentsAndBatchCallbacksAsTheyAreReleased() {
    List<String> ran = new CopyOnWriteArrayList<>();
    JobType<Map> step =
        JobType.of(
            "step",
            Map.class,
            ctx -> {
              ran.add(String.valueOf(ctx.payload().get("name")));
              return JobOutcome.success();
            });
    ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
    try (Keel keel =
        Keel.builder().backend(InlineBackend.create(clock)).clock(clock).register(step).build()) {
      UUID extract = JobRequest.newId();
      UUID load = JobRequest.newId();
      keel.client()
          .enqueueAll(
              List.of(
                  JobRequest.of("step", Map.of("name", "report")).dependsOn(load),
                  JobRequest.of("step", Map.of("name", "load")).withId(load).dependsOn(extract),
                  JobRequest.of("step", Map.of("name", "extract")).withId(extract)));
      BatchResult batch =
          keel.client()
              .enqueueBatch(
                  BatchRequest.of(
                          List.of(
                              JobRequest.of("step", Map.of("name", "chunk")),
                              JobRequest.of("step", Map.of("name", "chunk"))))
                      .onComplete(JobRequest.of("step", Map.of("name", "summary"))));

      assertThat(keel.drain().ran()).isEqualTo(6);
      assertThat(ran).containsSubsequence("extract", "load", "report");
      assertThat(ran.indexOf("summary")).isGreaterThan(ran.lastIndexOf("chunk"));
      assertThat(keel.client().batch("default", batch.id()).orElseThrow().state())
          .isEqualTo(BatchState.COMPLETED);
    }
  }
}
