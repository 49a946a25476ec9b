package dev.keel.opentelemetry;

import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.Job;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.TracePropagator;
import dev.keel.queue.inline.InlineBackend;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/** The parts of {@link KeelTracing} that do not depend on the backend, on the inline backend. */
class KeelTracingTest {
  @RegisterExtension static final OpenTelemetryExtension otel = OpenTelemetryExtension.create();

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  private static Keel keel(TracePropagator tracing) {
    return Keel.builder()
        .backend(InlineBackend.create())
        .tracePropagator(tracing)
        .register("ok", Map.class, JobHandler.of(m -> {}))
        .register("snooze", Map.class, ctx -> JobOutcome.snooze(Duration.ofHours(1)))
        .register("cancel", Map.class, ctx -> JobOutcome.cancel("not wanted"))
        .build();
  }

  private static SpanData consumerOf(UUID id) {
    return otel.getSpans().stream()
        .filter(s -> s.getKind() == SpanKind.CONSUMER)
        .filter(s -> id.toString().equals(s.getAttributes().get(stringKey("messaging.message.id"))))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theExecutionPutsBackTheMdcAndTheContextThatWereThereBefore() {
    KeelTracing tracing = KeelTracing.create(otel.getOpenTelemetry());
    try (Keel keel = keel(tracing)) {
      UUID id = keel.client().enqueue(JobRequest.of("ok", Map.of())).id();
      Job job = keel.client().find(id).orElseThrow();
      Span outer = otel.getOpenTelemetry().getTracer("test").spanBuilder("outer").startSpan();
      MDC.put("traceId", "outer-trace");
      MDC.put("spanId", "outer-span");
      try (Scope ignored = outer.makeCurrent()) {
        TracePropagator.Execution execution = tracing.execute(job);
        Span inside = Span.current();
        assertThat(inside.getSpanContext().getTraceId())
            .isEqualTo(job.traceparent().substring(3, 35));
        assertThat(MDC.get("traceId")).isEqualTo(inside.getSpanContext().getTraceId());
        assertThat(MDC.get("spanId")).isEqualTo(inside.getSpanContext().getSpanId());
        execution.close();
        execution.close(); // a second close changes nothing

        assertThat(Span.current()).isSameAs(outer);
        assertThat(MDC.get("traceId")).isEqualTo("outer-trace");
        assertThat(MDC.get("spanId")).isEqualTo("outer-span");
      } finally {
        outer.end();
      }
      SpanData consumer = consumerOf(id);
      assertThat(consumer.hasEnded()).isTrue();
      assertThat(consumer.getParentSpanContext().getSpanId())
          .as("the job's context is the parent, not the thread's")
          .isEqualTo(job.traceparent().substring(36, 52));
      assertThat(consumer.getAttributes().get(stringKey("keel.job.outcome")))
          .as("no outcome was reported")
          .isNull();
    }
  }

  @Test
  void snoozedAndCancelledAttemptsAreRecordedWithoutAnError() {
    try (Keel keel = keel(KeelTracing.create(otel.getOpenTelemetry()))) {
      UUID snoozed = keel.client().enqueue(JobRequest.of("snooze", Map.of())).id();
      UUID cancelled = keel.client().enqueue(JobRequest.of("cancel", Map.of())).id();
      keel.drain();

      SpanData s = consumerOf(snoozed);
      assertThat(s.getAttributes().get(stringKey("keel.job.outcome"))).isEqualTo("snoozed");
      assertThat(s.getAttributes().get(longKey("keel.job.delay_ms"))).isEqualTo(3_600_000L);
      assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      SpanData c = consumerOf(cancelled);
      assertThat(c.getAttributes().get(stringKey("keel.job.outcome"))).isEqualTo("cancelled");
      assertThat(c.getAttributes().get(stringKey("keel.job.cancel_reason")))
          .isEqualTo("not wanted");
      assertThat(c.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }
  }

  @Test
  void globalUsesTheRegisteredOpenTelemetry() {
    // OpenTelemetryExtension registers its SDK as GlobalOpenTelemetry for this class.
    try (Keel keel = keel(KeelTracing.global())) {
      UUID id = keel.client().enqueue(JobRequest.of("ok", Map.of())).id();
      keel.drain();
      assertThat(otel.getSpans()).extracting(SpanData::getName).contains("send default");
      assertThat(consumerOf(id).getName()).isEqualTo("process default");
    }
  }

  @Test
  void captureAndRestoreCarryTheCurrentSpanAsW3cTraceparent() {
    KeelTracing tracing = KeelTracing.builder(otel.getOpenTelemetry()).build();
    assertThat(tracing.childOfEnqueue()).isTrue();
    assertThat(tracing.capture()).isNull();
    Span span = otel.getOpenTelemetry().getTracer("test").spanBuilder("s").startSpan();
    String traceparent;
    try (Scope ignored = span.makeCurrent()) {
      traceparent = tracing.capture();
    } finally {
      span.end();
    }
    assertThat(traceparent)
        .isEqualTo(
            "00-"
                + span.getSpanContext().getTraceId()
                + "-"
                + span.getSpanContext().getSpanId()
                + "-01");
    try (TracePropagator.Scope ignored = tracing.restore(traceparent)) {
      assertThat(Span.current().getSpanContext().getSpanId())
          .isEqualTo(span.getSpanContext().getSpanId());
    }
    assertThat(Span.current().getSpanContext().isValid()).isFalse();
    try (TracePropagator.Scope ignored = tracing.restore("not a traceparent")) {
      assertThat(Context.current()).isSameAs(Context.root());
    }
  }

  @Test
  void theBuilderChecksItsInput() {
    assertThatThrownBy(() -> KeelTracing.create(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("openTelemetry");
    KeelTracing.Builder builder =
        KeelTracing.builder(otel.getOpenTelemetry()).childOfEnqueue(false);
    assertThatThrownBy(() -> builder.childOfEnqueue(true))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("childOfEnqueue");
    assertThat(builder.build().childOfEnqueue()).isFalse();
    assertThat(KeelTracing.globalBuilder().build().childOfEnqueue()).isTrue();
  }

  @Test
  void withTheNoopApiJobsRunAndStoreNoTrace() {
    try (Keel keel = keel(KeelTracing.create(OpenTelemetry.noop()))) {
      UUID id = keel.client().enqueue(JobRequest.of("ok", Map.of())).id();
      assertThat(keel.client().find(id).orElseThrow().traceparent()).isNull();
      keel.drain();
      assertThat(keel.client().find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }
  }

  @Test
  void aBrokenOpenTelemetryNeverFailsAnEnqueueOrAnAttempt() {
    OpenTelemetry broken =
        new OpenTelemetry() {
          @Override
          public TracerProvider getTracerProvider() {
            throw new IllegalStateException("tracing is broken");
          }

          @Override
          public ContextPropagators getPropagators() {
            return ContextPropagators.noop();
          }
        };
    try (Keel keel = keel(KeelTracing.create(broken))) {
      List<UUID> ids =
          List.of(
              keel.client().enqueue(JobRequest.of("ok", Map.of())).id(),
              keel.client().enqueueAll(List.of(JobRequest.of("ok", Map.of()))).get(0).id());
      keel.drain();
      for (UUID id : ids) {
        Job job = keel.client().find(id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.attempt()).isEqualTo(1);
      }
    }
  }

  @Test
  void theExceptionTypeIsReadFromTheFirstLineOfTheStoredStackTrace() {
    assertThat(
            ConsumerExecution.exceptionType(
                "java.lang.IllegalStateException: boom\n\tat x.Y.z(Y.java:1)\n"))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(ConsumerExecution.exceptionType("com.acme.Failure$Inner\n\tat a.B.c(B.java)"))
        .isEqualTo("com.acme.Failure$Inner");
    assertThat(ConsumerExecution.exceptionType("")).isNull();
    assertThat(ConsumerExecution.exceptionType(null)).isNull();
    assertThat(ConsumerExecution.exceptionType("timed out after PT1S")).isNull();
  }
}
