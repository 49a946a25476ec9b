package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.InvalidJobException;
import dev.keel.queue.Job;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobListener;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.MaintenanceReport;
import dev.keel.queue.TracePropagator;
import dev.keel.queue.spi.EnqueueRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The span lifecycle hooks of {@link TracePropagator} and the maintenance listener hook. */
class TracePropagatorHooksTest {

  /** Records every hook call as a line, and hands out one traceparent per enqueued job. */
  static final class Recording implements TracePropagator {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public String capture() {
      throw new AssertionError("the lifecycle hooks are overridden; capture() must not be called");
    }

    @Override
    public Scope restore(String traceparent) {
      throw new AssertionError("the lifecycle hooks are overridden; restore() must not be called");
    }

    @Override
    public Send send(Outgoing job) {
      calls.add("send " + job.type() + " " + job.queue() + " " + job.tenant());
      String id = job.id().toString().replace("-", "");
      return new Send() {
        @Override
        public String traceparent() {
          return "00-" + id + "-00f067aa0ba902b7-01";
        }

        @Override
        public String tracestate() {
          return "keel=" + job.type();
        }

        @Override
        public void end(Throwable error) {
          calls.add(
              "end "
                  + job.type()
                  + " "
                  + (error == null ? "ok" : error.getClass().getSimpleName()));
        }
      };
    }

    @Override
    public Execution execute(Job job) {
      calls.add(
          "execute "
              + job.type()
              + " attempt "
              + job.attempt()
              + " "
              + job.traceparent()
              + " "
              + job.metadata().get(TRACESTATE_METADATA_KEY));
      return new Execution() {
        @Override
        public void outcome(JobEvent event) {
          calls.add("outcome " + job.type() + " " + event.getClass().getSimpleName());
        }

        @Override
        public void close() {
          calls.add("close " + job.type());
        }
      };
    }
  }

  @Test
  void eachJobGetsASendEndedAfterTheBackendAnsweredAndEachAttemptAnExecutionWithItsOutcome() {
    Recording tracing = new Recording();
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .tracePropagator(tracing)
            .register("ok", Map.class, ctx -> JobOutcome.success())
            .register(
                "flaky",
                Map.class,
                ctx ->
                    ctx.job().attempt() == 1
                        ? JobOutcome.retry("first time")
                        : JobOutcome.success())
            .build()) {
      UUID id = keel.client().enqueue(JobRequest.of("ok", Map.of()).withTenant("acme")).id();
      keel.client().enqueueAll(List.of(JobRequest.of("flaky", Map.of()).withQueue("q2")));
      assertThat(tracing.calls)
          .containsExactly(
              "send ok default acme", "end ok ok", "send flaky q2 default", "end flaky ok");
      tracing.calls.clear();

      keel.drain();

      String expectedParent = "00-" + id.toString().replace("-", "") + "-00f067aa0ba902b7-01";
      assertThat(keel.client().find("acme", id).orElseThrow().traceparent())
          .isEqualTo(expectedParent);
      assertThat(tracing.calls)
          .contains(
              "execute ok attempt 1 " + expectedParent + " keel=ok",
              "outcome ok Succeeded",
              "close ok",
              "outcome flaky Retrying",
              "close flaky")
          .hasSize(6);
      assertThat(tracing.calls.indexOf("outcome ok Succeeded"))
          .isLessThan(tracing.calls.indexOf("close ok"));
    }
  }

  @Test
  void aRefusedBatchEndsEverySendWithTheErrorAndAPreparedJobEndsItsSendAtOnce() {
    Recording tracing = new Recording();
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .tracePropagator(tracing)
            .register("ok", Map.class, ctx -> JobOutcome.success())
            .build()) {
      assertThatThrownBy(
              () ->
                  keel.client()
                      .enqueueAll(
                          List.of(
                              JobRequest.of("ok", Map.of()), JobRequest.of("bad type!", Map.of()))))
          .isInstanceOf(InvalidJobException.class)
          .hasMessageContaining("jobs[1].type");
      assertThat(tracing.calls)
          .containsExactly("send ok default default", "end ok InvalidJobException");
      tracing.calls.clear();

      EnqueueRequest prepared = keel.client().prepareAll(List.of(JobRequest.of("ok", Map.of())));
      assertThat(prepared.jobs().get(0).traceparent()).startsWith("00-");
      assertThat(prepared.jobs().get(0).metadata()).containsEntry("tracestate", "keel=ok");
      assertThat(tracing.calls).containsExactly("send ok default default", "end ok ok");
    }
  }

  @Test
  void aThrowingHookIsLoggedAndTheJobStillSucceeds() {
    TracePropagator broken =
        new TracePropagator() {
          @Override
          public String capture() {
            return null;
          }

          @Override
          public Scope restore(String traceparent) {
            return () -> {};
          }

          @Override
          public Execution execute(Job job) {
            return new Execution() {
              @Override
              public void outcome(JobEvent event) {
                throw new IllegalStateException("exporter down");
              }

              @Override
              public void close() {
                throw new IllegalStateException("exporter down");
              }
            };
          }
        };
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .tracePropagator(broken)
            .register("ok", Map.class, JobHandler.of(m -> {}))
            .build()) {
      UUID id = keel.client().enqueue(JobRequest.of("ok", Map.of())).id();
      keel.drain();
      assertThat(keel.client().find(id).orElseThrow().state().name()).isEqualTo("SUCCEEDED");
    }
  }

  @Test
  void listenersHearOfEveryMaintenanceRunThatHeldTheLock() {
    List<MaintenanceReport> reports = new CopyOnWriteArrayList<>();
    JobListener listener =
        new JobListener() {
          @Override
          public void onEvent(JobEvent event) {}

          @Override
          public void onMaintenance(MaintenanceReport report) {
            reports.add(report);
          }
        };
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .listener(listener)
            .register("ok", Map.class, JobHandler.of(m -> {}))
            .build()) {
      MaintenanceReport report = keel.maintenance("node-1");
      assertThat(report.lockHeld()).isTrue();
      assertThat(reports).containsExactly(report);
    }
  }
}
