package dev.keel.opentelemetry;

import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.IdempotencyConflictException;
import dev.keel.queue.InvalidJobException;
import dev.keel.queue.Job;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.TracePropagator;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.QueueBackend;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * What {@link KeelTracing} promises, on one backend: the producer span of an enqueue is the parent
 * of every attempt's consumer span, across a real store and back. Each backend's subclass gives a
 * fresh, isolated store per test.
 */
abstract class TracingAcrossBackendsContract {

  static final AttributeKey<String> SYSTEM = stringKey("messaging.system");
  static final AttributeKey<String> DESTINATION = stringKey("messaging.destination.name");
  static final AttributeKey<String> OPERATION_NAME = stringKey("messaging.operation.name");
  static final AttributeKey<String> OPERATION_TYPE = stringKey("messaging.operation.type");
  static final AttributeKey<String> MESSAGE_ID = stringKey("messaging.message.id");
  static final AttributeKey<String> ERROR_TYPE = stringKey("error.type");
  static final AttributeKey<String> JOB_TYPE = stringKey("keel.job.type");
  static final AttributeKey<String> TENANT = stringKey("keel.tenant");
  static final AttributeKey<Long> ATTEMPT = longKey("keel.job.attempt");
  static final AttributeKey<Long> MAX_ATTEMPTS = longKey("keel.job.max_attempts");
  static final AttributeKey<String> OUTCOME = stringKey("keel.job.outcome");
  static final AttributeKey<String> EXCEPTION_TYPE = stringKey("exception.type");
  static final AttributeKey<String> EXCEPTION_MESSAGE = stringKey("exception.message");
  static final AttributeKey<String> EXCEPTION_STACKTRACE = stringKey("exception.stacktrace");

  /** What a handler saw while it ran: the current span and the MDC's trace keys. */
  record Saw(SpanContext current, String mdcTraceId, String mdcSpanId) {}

  final Map<UUID, Saw> saw = new ConcurrentHashMap<>();

  /** A backend over a store of its own, empty, for this test only. */
  protected abstract QueueBackend newBackend();

  /**
   * The in-memory SDK, registered by each subclass as a static extension of its own (the extension
   * closes its SDK after its class, so classes cannot share one).
   */
  protected abstract OpenTelemetryExtension otel();

  Tracer testTracer() {
    return otel().getOpenTelemetry().getTracer("test");
  }

  Keel keel(KeelTracing tracing) {
    return Keel.builder()
        .backend(newBackend())
        .tracePropagator(tracing)
        .register(
            "email",
            Map.class,
            ctx -> {
              record(ctx.job());
              Span work = testTracer().spanBuilder("handler work").startSpan();
              work.end();
              return JobOutcome.success();
            })
        .register(
            "flaky",
            Map.class,
            ctx -> {
              record(ctx.job());
              return ctx.job().attempt() == 1
                  ? JobOutcome.retryAfter(Duration.ZERO, "not yet")
                  : JobOutcome.success();
            })
        .register(
            "broken",
            Map.class,
            ctx -> {
              record(ctx.job());
              throw new IllegalStateException("boom");
            })
        .build();
  }

  Keel keel() {
    return keel(KeelTracing.create(otel().getOpenTelemetry()));
  }

  private void record(Job job) {
    saw.put(
        job.id(), new Saw(Span.current().getSpanContext(), MDC.get("traceId"), MDC.get("spanId")));
  }

  List<SpanData> spans(SpanKind kind) {
    List<SpanData> out = new ArrayList<>();
    for (SpanData s : otel().getSpans()) {
      if (s.getKind() == kind) {
        out.add(s);
      }
    }
    return out;
  }

  SpanData only(SpanKind kind) {
    List<SpanData> found = spans(kind);
    assertThat(found).as("%s spans", kind).hasSize(1);
    return found.get(0);
  }

  SpanData named(String name) {
    return otel().getSpans().stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + otel().getSpans()));
  }

  static String traceparentOf(SpanData span) {
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-01";
  }

  static void assertChildOf(SpanData child, SpanData parent) {
    assertThat(child.getTraceId()).isEqualTo(parent.getTraceId());
    assertThat(child.getParentSpanId()).isEqualTo(parent.getSpanId());
  }

  /** Drains until {@code count} consumer spans were recorded (a retry may be due a bit later). */
  void drainUntilConsumerSpans(Keel keel, int count) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              keel.drain();
              return spans(SpanKind.CONSUMER).size() >= count;
            });
  }

  @Test
  void enqueueMakesAProducerSpanUnderTheCallerAndTheAttemptAConsumerSpanUnderIt() {
    try (Keel keel = keel()) {
      Span request = testTracer().spanBuilder("request").startSpan();
      UUID id;
      try (Scope ignored = request.makeCurrent()) {
        id =
            keel.client()
                .enqueue(
                    JobRequest.of("email", Map.of("to", "a@example.com"))
                        .withQueue("mail")
                        .withTenant("acme"))
                .id();
      } finally {
        request.end();
      }

      SpanData producer = only(SpanKind.PRODUCER);
      assertThat(producer.getName()).isEqualTo("send mail");
      assertThat(producer.hasEnded()).isTrue();
      assertChildOf(producer, named("request"));
      assertThat(producer.getInstrumentationScopeInfo().getName())
          .isEqualTo(KeelTracing.INSTRUMENTATION_NAME);
      assertThat(producer.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      assertThat(producer.getAttributes().get(SYSTEM)).isEqualTo("keel");
      assertThat(producer.getAttributes().get(DESTINATION)).isEqualTo("mail");
      assertThat(producer.getAttributes().get(OPERATION_NAME)).isEqualTo("send");
      assertThat(producer.getAttributes().get(OPERATION_TYPE)).isEqualTo("send");
      assertThat(producer.getAttributes().get(MESSAGE_ID)).isEqualTo(id.toString());
      assertThat(producer.getAttributes().get(JOB_TYPE)).isEqualTo("email");
      assertThat(producer.getAttributes().get(TENANT)).isEqualTo("acme");
      assertThat(keel.client().find("acme", id).orElseThrow().traceparent())
          .isEqualTo(traceparentOf(producer));

      keel.drain();

      SpanData consumer = only(SpanKind.CONSUMER);
      assertThat(consumer.getName()).isEqualTo("process mail");
      assertChildOf(consumer, producer);
      assertThat(consumer.getParentSpanContext().isRemote()).isTrue();
      assertThat(consumer.getLinks()).isEmpty();
      assertThat(consumer.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      assertThat(consumer.getAttributes().get(SYSTEM)).isEqualTo("keel");
      assertThat(consumer.getAttributes().get(DESTINATION)).isEqualTo("mail");
      assertThat(consumer.getAttributes().get(OPERATION_NAME)).isEqualTo("process");
      assertThat(consumer.getAttributes().get(OPERATION_TYPE)).isEqualTo("process");
      assertThat(consumer.getAttributes().get(MESSAGE_ID)).isEqualTo(id.toString());
      assertThat(consumer.getAttributes().get(JOB_TYPE)).isEqualTo("email");
      assertThat(consumer.getAttributes().get(TENANT)).isEqualTo("acme");
      assertThat(consumer.getAttributes().get(ATTEMPT)).isEqualTo(1L);
      assertThat(consumer.getAttributes().get(MAX_ATTEMPTS)).isEqualTo(20L);
      assertThat(consumer.getAttributes().get(OUTCOME)).isEqualTo("succeeded");

      assertChildOf(named("handler work"), consumer);
      assertThat(saw.get(id).current().getSpanId()).isEqualTo(consumer.getSpanId());
      assertThat(Span.current().getSpanContext().isValid())
          .as("the caller's context is back after drain")
          .isFalse();
    }
  }

  @Test
  void aRunningWorkerContinuesTheTraceOfTheEnqueue() {
    try (Keel keel = keel();
        Worker worker =
            keel.worker().queue("mail", 2).pollInterval(Duration.ofMillis(50)).build().start()) {
      Span request = testTracer().spanBuilder("request").startSpan();
      UUID id;
      try (Scope ignored = request.makeCurrent()) {
        id = keel.client().enqueue(JobRequest.of("email", Map.of()).withQueue("mail")).id();
      } finally {
        request.end();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> spans(SpanKind.CONSUMER).size() == 1);

      SpanData producer = only(SpanKind.PRODUCER);
      SpanData consumer = only(SpanKind.CONSUMER);
      assertChildOf(producer, named("request"));
      assertChildOf(consumer, producer);
      assertChildOf(named("handler work"), consumer);
      assertThat(consumer.getAttributes().get(OUTCOME)).isEqualTo("succeeded");
      Saw inHandler = saw.get(id);
      assertThat(inHandler.mdcTraceId()).isEqualTo(consumer.getTraceId());
      assertThat(inHandler.mdcSpanId()).isEqualTo(consumer.getSpanId());
    }
  }

  @Test
  void withoutACurrentSpanTheProducerSpanStartsANewTrace() {
    try (Keel keel = keel()) {
      keel.client().enqueue(JobRequest.of("email", Map.of()));
      SpanData producer = only(SpanKind.PRODUCER);
      assertThat(producer.getName()).isEqualTo("send default");
      assertThat(producer.getParentSpanContext().isValid()).isFalse();

      keel.drain();

      assertChildOf(only(SpanKind.CONSUMER), producer);
    }
  }

  @Test
  void linkedModeStartsATraceOfItsOwnLinkedToTheEnqueue() {
    try (Keel keel =
        keel(KeelTracing.builder(otel().getOpenTelemetry()).childOfEnqueue(false).build())) {
      UUID id = keel.client().enqueue(JobRequest.of("email", Map.of())).id();
      keel.drain();

      SpanData producer = only(SpanKind.PRODUCER);
      SpanData consumer = only(SpanKind.CONSUMER);
      assertThat(consumer.getParentSpanContext().isValid()).isFalse();
      assertThat(consumer.getTraceId()).isNotEqualTo(producer.getTraceId());
      assertThat(consumer.getLinks()).hasSize(1);
      SpanContext linked = consumer.getLinks().get(0).getSpanContext();
      assertThat(linked.getTraceId()).isEqualTo(producer.getTraceId());
      assertThat(linked.getSpanId()).isEqualTo(producer.getSpanId());
      assertChildOf(named("handler work"), consumer);
      assertThat(saw.get(id).mdcTraceId())
          .as("the MDC names the trace the handler's spans are in")
          .isEqualTo(consumer.getTraceId());
    }
  }

  @Test
  void aFailedAttemptRecordsTheErrorOnTheConsumerSpan() {
    try (Keel keel = keel()) {
      UUID id = keel.client().enqueue(JobRequest.of("broken", Map.of()).withMaxAttempts(1)).id();
      keel.drain();
      assertThat(keel.client().find(id).orElseThrow().state()).isEqualTo(JobState.FAILED);

      SpanData consumer = only(SpanKind.CONSUMER);
      assertChildOf(consumer, only(SpanKind.PRODUCER));
      assertThat(consumer.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(consumer.getStatus().getDescription()).contains("boom");
      assertThat(consumer.getAttributes().get(OUTCOME)).isEqualTo("failed");
      assertThat(consumer.getAttributes().get(ERROR_TYPE))
          .isEqualTo("java.lang.IllegalStateException");
      assertThat(consumer.getEvents()).hasSize(1);
      EventData exception = consumer.getEvents().get(0);
      assertThat(exception.getName()).isEqualTo("exception");
      assertThat(exception.getAttributes().get(EXCEPTION_TYPE))
          .isEqualTo("java.lang.IllegalStateException");
      assertThat(exception.getAttributes().get(EXCEPTION_MESSAGE))
          .isEqualTo("java.lang.IllegalStateException: boom");
      assertThat(exception.getAttributes().get(EXCEPTION_STACKTRACE))
          .startsWith("java.lang.IllegalStateException: boom")
          .contains("\tat ");
    }
  }

  @Test
  void everyAttemptIsAChildOfTheEnqueueAndCarriesItsNumber() {
    try (Keel keel = keel()) {
      UUID id = keel.client().enqueue(JobRequest.of("flaky", Map.of())).id();
      drainUntilConsumerSpans(keel, 2);
      assertThat(keel.client().find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);

      SpanData producer = only(SpanKind.PRODUCER);
      List<SpanData> attempts = spans(SpanKind.CONSUMER);
      assertThat(attempts).hasSize(2);
      SpanData first =
          attempts.stream().filter(s -> s.getAttributes().get(ATTEMPT) == 1L).findFirst().get();
      SpanData second =
          attempts.stream().filter(s -> s.getAttributes().get(ATTEMPT) == 2L).findFirst().get();
      assertChildOf(first, producer);
      assertChildOf(second, producer);
      assertThat(first.getAttributes().get(OUTCOME)).isEqualTo("retrying");
      assertThat(first.getAttributes().get(longKey("keel.job.delay_ms"))).isEqualTo(0L);
      assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(first.getStatus().getDescription()).isEqualTo("not yet");
      assertThat(first.getEvents()).hasSize(1);
      assertThat(first.getEvents().get(0).getAttributes().get(EXCEPTION_MESSAGE))
          .isEqualTo("not yet");
      assertThat(first.getEvents().get(0).getAttributes().get(EXCEPTION_STACKTRACE))
          .as("a retry asked for by the handler has no stack trace")
          .isNull();
      assertThat(first.getAttributes().get(ERROR_TYPE)).isEqualTo("_OTHER");
      assertThat(second.getAttributes().get(OUTCOME)).isEqualTo("succeeded");
      assertThat(second.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      assertThat(second.getEvents()).isEmpty();
    }
  }

  @Test
  void aBatchMakesOneProducerSpanPerJobAndEachAttemptFollowsItsOwn() {
    try (Keel keel = keel()) {
      Span request = testTracer().spanBuilder("request").startSpan();
      List<EnqueueResult> results;
      try (Scope ignored = request.makeCurrent()) {
        results =
            keel.client()
                .enqueueAll(
                    List.of(
                        JobRequest.of("email", Map.of("n", 1)),
                        JobRequest.of("email", Map.of("n", 2)).withQueue("mail"),
                        JobRequest.of("email", Map.of("n", 3))));
      } finally {
        request.end();
      }

      List<SpanData> producers = spans(SpanKind.PRODUCER);
      assertThat(producers).hasSize(3).allMatch(SpanData::hasEnded);
      Map<String, SpanData> producerByJob = new HashMap<>();
      for (SpanData p : producers) {
        assertChildOf(p, named("request"));
        assertThat(p.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        producerByJob.put(p.getAttributes().get(MESSAGE_ID), p);
      }
      assertThat(producerByJob.keySet())
          .containsExactlyInAnyOrderElementsOf(
              results.stream().map(r -> r.id().toString()).toList());
      for (EnqueueResult r : results) {
        assertThat(keel.client().find(r.id()).orElseThrow().traceparent())
            .isEqualTo(traceparentOf(producerByJob.get(r.id().toString())));
      }
      assertThat(producerByJob.get(results.get(1).id().toString()).getName())
          .isEqualTo("send mail");

      keel.drain();

      List<SpanData> consumers = spans(SpanKind.CONSUMER);
      assertThat(consumers).hasSize(3);
      for (SpanData c : consumers) {
        assertChildOf(c, producerByJob.get(c.getAttributes().get(MESSAGE_ID)));
      }
    }
  }

  @Test
  void anEnqueueTheBackendRefusesEndsItsProducerSpanWithTheError() {
    try (Keel keel = keel()) {
      keel.client().enqueue(JobRequest.of("email", Map.of("v", 1)).withIdempotencyKey("k-1"));
      otel().clearSpans();

      assertThatThrownBy(
              () ->
                  keel.client()
                      .enqueue(JobRequest.of("email", Map.of("v", 2)).withIdempotencyKey("k-1")))
          .isInstanceOf(IdempotencyConflictException.class);

      SpanData refused = only(SpanKind.PRODUCER);
      assertThat(refused.hasEnded()).isTrue();
      assertThat(refused.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(refused.getAttributes().get(ERROR_TYPE))
          .isEqualTo(IdempotencyConflictException.class.getName());
      assertThat(refused.getEvents()).hasSize(1);
      assertThat(refused.getEvents().get(0).getName()).isEqualTo("exception");
      assertThat(refused.getEvents().get(0).getAttributes().get(EXCEPTION_TYPE))
          .isEqualTo(IdempotencyConflictException.class.getName());
    }
  }

  @Test
  void aRefusedBatchEndsTheProducerSpanOfEveryJobInItWithTheError() {
    try (Keel keel = keel()) {
      keel.client().enqueue(JobRequest.of("email", Map.of("v", 1)).withIdempotencyKey("k-1"));
      otel().clearSpans();

      assertThatThrownBy(
              () ->
                  keel.client()
                      .enqueueAll(
                          List.of(
                              JobRequest.of("email", Map.of("v", 3)),
                              JobRequest.of("email", Map.of("v", 2)).withIdempotencyKey("k-1"))))
          .isInstanceOf(IdempotencyConflictException.class);

      List<SpanData> producers = spans(SpanKind.PRODUCER);
      assertThat(producers).hasSize(2);
      for (SpanData p : producers) {
        assertThat(p.hasEnded()).isTrue();
        assertThat(p.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(p.getEvents()).extracting(EventData::getName).containsExactly("exception");
      }
    }
  }

  @Test
  void anInvalidRequestInABatchEndsTheSpansOfTheJobsPreparedBeforeIt() {
    try (Keel keel = keel()) {
      assertThatThrownBy(
              () ->
                  keel.client()
                      .enqueueAll(
                          List.of(
                              JobRequest.of("email", Map.of()),
                              JobRequest.of("email", Map.of()),
                              JobRequest.of("bad type!", Map.of()))))
          .isInstanceOf(InvalidJobException.class)
          .hasMessageContaining("jobs[2].type");

      List<SpanData> producers = spans(SpanKind.PRODUCER);
      assertThat(producers).hasSize(2);
      for (SpanData p : producers) {
        assertThat(p.hasEnded()).isTrue();
        assertThat(p.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(p.getAttributes().get(ERROR_TYPE))
            .isEqualTo(InvalidJobException.class.getName());
      }
      assertThat(keel.drain().ran()).isZero();
    }
  }

  @Test
  void aJobWithoutAUsableTraceparentRunsUnderARootSpan() {
    try (Keel keel = keel()) {
      List<String> stored =
          java.util.Arrays.asList(
              null,
              "",
              "garbage",
              "00-00000000000000000000000000000000-0000000000000000-01",
              "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7");
      List<NewJob> jobs = new ArrayList<>();
      for (String traceparent : stored) {
        NewJob prepared = keel.client().prepare(JobRequest.of("email", Map.of()));
        jobs.add(withTrace(prepared, traceparent, Map.of("tracestate", "%%%not a tracestate")));
      }
      keel.backend().enqueue(new EnqueueRequest(jobs));
      otel().clearSpans();

      keel.drain();

      List<SpanData> consumers = spans(SpanKind.CONSUMER);
      assertThat(consumers).hasSize(stored.size());
      for (SpanData c : consumers) {
        assertThat(c.getParentSpanContext().isValid()).isFalse();
        assertThat(c.getLinks()).isEmpty();
        assertThat(c.getAttributes().get(OUTCOME)).isEqualTo("succeeded");
      }
      for (NewJob j : jobs) {
        assertThat(keel.client().find(j.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      }
    }
  }

  @Test
  void theTracestateOfTheCallerTravelsWithTheJob() {
    SpanContext upstream =
        SpanContext.createFromRemoteParent(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            TraceFlags.getSampled(),
            TraceState.builder().put("vendor", "v1").build());
    try (Keel keel = keel()) {
      UUID id;
      try (Scope ignored = Span.wrap(upstream).makeCurrent()) {
        id = keel.client().enqueue(JobRequest.of("email", Map.of())).id();
      }
      Job job = keel.client().find(id).orElseThrow();
      assertThat(job.metadata())
          .containsEntry(TracePropagator.TRACESTATE_METADATA_KEY, "vendor=v1");
      assertThat(job.traceparent()).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-");

      keel.drain();

      SpanData consumer = only(SpanKind.CONSUMER);
      assertThat(consumer.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
      assertThat(consumer.getParentSpanContext().getTraceState().get("vendor")).isEqualTo("v1");
      assertThat(consumer.getSpanContext().getTraceState().get("vendor")).isEqualTo("v1");
    }
  }

  @Test
  void theMdcNamesTheConsumerSpanDuringTheHandlerAndIsClearedAfter() {
    try (Keel keel = keel()) {
      UUID id = keel.client().enqueue(JobRequest.of("email", Map.of())).id();
      keel.drain();

      SpanData consumer = only(SpanKind.CONSUMER);
      assertThat(saw.get(id).mdcTraceId()).isEqualTo(consumer.getTraceId());
      assertThat(saw.get(id).mdcSpanId()).isEqualTo(consumer.getSpanId());
      assertThat(MDC.get("traceId")).isNull();
      assertThat(MDC.get("spanId")).isNull();
    }
  }

  @Test
  void aPreparedJobEndsItsProducerSpanAtOnce() {
    try (Keel keel = keel()) {
      NewJob prepared = keel.client().prepare(JobRequest.of("email", Map.of()).withQueue("mail"));
      SpanData producer = only(SpanKind.PRODUCER);
      assertThat(producer.hasEnded()).isTrue();
      assertThat(producer.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      assertThat(prepared.traceparent()).isEqualTo(traceparentOf(producer));

      keel.backend().enqueue(EnqueueRequest.of(prepared));
      keel.drain();

      assertChildOf(only(SpanKind.CONSUMER), producer);
    }
  }

  static NewJob withTrace(NewJob j, String traceparent, Map<String, String> metadata) {
    return new NewJob(
        j.id(),
        j.type(),
        j.queue(),
        j.tenant(),
        j.payload(),
        j.priority(),
        j.maxAttempts(),
        j.runAt(),
        j.delay(),
        j.timeout(),
        j.idempotencyKey(),
        j.idempotencyPolicy(),
        traceparent,
        metadata);
  }
}
