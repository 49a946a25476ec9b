package dev.keel.opentelemetry;

import static dev.keel.opentelemetry.SpanAttributes.JOB_ATTEMPT;
import static dev.keel.opentelemetry.SpanAttributes.JOB_MAX_ATTEMPTS;
import static dev.keel.opentelemetry.SpanAttributes.JOB_TYPE;
import static dev.keel.opentelemetry.SpanAttributes.MESSAGING_DESTINATION_NAME;
import static dev.keel.opentelemetry.SpanAttributes.MESSAGING_MESSAGE_ID;
import static dev.keel.opentelemetry.SpanAttributes.MESSAGING_OPERATION_NAME;
import static dev.keel.opentelemetry.SpanAttributes.MESSAGING_OPERATION_TYPE;
import static dev.keel.opentelemetry.SpanAttributes.MESSAGING_SYSTEM;
import static dev.keel.opentelemetry.SpanAttributes.OPERATION_PROCESS;
import static dev.keel.opentelemetry.SpanAttributes.OPERATION_SEND;
import static dev.keel.opentelemetry.SpanAttributes.SYSTEM_KEEL;
import static dev.keel.opentelemetry.SpanAttributes.TENANT;

import dev.keel.queue.Job;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.TracePropagator;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerBuilder;
import io.opentelemetry.context.Context;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry tracing of Keel jobs: a {@link TracePropagator} that makes a {@link
 * SpanKind#PRODUCER PRODUCER} span {@code send <queue>} for every enqueued job and a {@link
 * SpanKind#CONSUMER CONSUMER} span {@code process <queue>} for every attempt, following the
 * OpenTelemetry messaging semantic conventions.
 *
 * <pre>{@code
 * Keel keel = Keel.builder()
 *     .backend(backend)
 *     .tracePropagator(KeelTracing.create(openTelemetry))
 *     .register(...)
 *     .build();
 * }</pre>
 *
 * <p><b>Enqueue.</b> The producer span is a child of the enqueueing thread's current {@link
 * Context}, or the root of a new trace when there is none (a job enqueued by a scheduler or a
 * start-up task still gets a trace that joins its enqueue to its runs). Its W3C {@code traceparent}
 * is stored on the job and its {@code tracestate}, if any, in the job's metadata under {@link
 * TracePropagator#TRACESTATE_METADATA_KEY}. It ends when the backend answered, with status ERROR
 * and the exception recorded if the enqueue failed; for a job only prepared ({@code
 * JobClient.prepare}) for an enqueue in the caller's transaction, it ends as soon as it was
 * prepared.
 *
 * <p><b>Execution.</b> The consumer span's parent is the job's stored context (by default), or,
 * with {@link Builder#childOfEnqueue(boolean) childOfEnqueue(false)}, it starts a trace of its own
 * with a span link to the producer span. A job without a usable stored context (enqueued before
 * tracing was enabled, or with a malformed traceparent) gets a root consumer span. The span is
 * current while the handler runs, so spans the handler makes are its children, and its trace and
 * span ids are in the SLF4J MDC under {@code traceId} and {@code spanId}. The attempt's outcome is
 * recorded as {@code keel.job.outcome}; a failed or retrying attempt sets status ERROR and adds an
 * {@code exception} event with the job's error message and stack trace.
 *
 * <p>Only the OpenTelemetry API is used: pass the SDK's {@link OpenTelemetry} or, under the
 * OpenTelemetry Java agent, use {@link #global()}. Thread-safe; one instance serves any number of
 * {@code Keel}s. Every hook catches its own failures, so tracing can never fail an enqueue or an
 * attempt.
 */
public final class KeelTracing implements TracePropagator {
  /** The instrumentation scope name of Keel's tracer. */
  public static final String INSTRUMENTATION_NAME = "dev.keel.opentelemetry";

  private static final Logger log = LoggerFactory.getLogger(KeelTracing.class);

  private final Supplier<OpenTelemetry> openTelemetry;
  private final boolean childOfEnqueue;
  private volatile Tracer tracer;

  private KeelTracing(Builder b) {
    this.openTelemetry = b.openTelemetry;
    this.childOfEnqueue = b.childOfEnqueue;
  }

  /** Tracing through {@code openTelemetry}, consumer spans children of their enqueue. */
  public static KeelTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /**
   * Tracing through {@link GlobalOpenTelemetry} (what the OpenTelemetry Java agent or {@code
   * OpenTelemetrySdk.builder().buildAndRegisterGlobal()} installs), looked up when the first span
   * is made rather than now.
   */
  public static KeelTracing global() {
    return globalBuilder().build();
  }

  /** A builder for tracing through {@code openTelemetry}. */
  public static Builder builder(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return new Builder(() -> openTelemetry);
  }

  /** A builder for tracing through {@link GlobalOpenTelemetry}; see {@link #global()}. */
  public static Builder globalBuilder() {
    return new Builder(GlobalOpenTelemetry::get);
  }

  /** Whether consumer spans are children of their enqueue (true) or linked roots (false). */
  public boolean childOfEnqueue() {
    return childOfEnqueue;
  }

  /** The W3C traceparent of the current span, or null if there is no valid one. */
  @Override
  public String capture() {
    return W3cContext.inject(Context.current()).get(W3cContext.TRACEPARENT);
  }

  /**
   * Makes the span context {@code traceparent} names current until the scope is closed; a missing
   * or malformed traceparent changes nothing.
   */
  @Override
  public Scope restore(String traceparent) {
    SpanContext sc = W3cContext.extract(traceparent, null);
    if (!sc.isValid()) {
      return () -> {};
    }
    io.opentelemetry.context.Scope scope = Context.current().with(Span.wrap(sc)).makeCurrent();
    return scope::close;
  }

  /** Starts the job's producer span; its context is what the job stores. */
  @Override
  public Send send(Outgoing job) {
    try {
      Context parent = Context.current();
      Span span =
          tracer()
              .spanBuilder(OPERATION_SEND + " " + job.queue())
              .setSpanKind(SpanKind.PRODUCER)
              .setParent(parent)
              .setAttribute(MESSAGING_SYSTEM, SYSTEM_KEEL)
              .setAttribute(MESSAGING_OPERATION_NAME, OPERATION_SEND)
              .setAttribute(MESSAGING_OPERATION_TYPE, OPERATION_SEND)
              .setAttribute(MESSAGING_DESTINATION_NAME, job.queue())
              .setAttribute(MESSAGING_MESSAGE_ID, String.valueOf(job.id()))
              .setAttribute(JOB_TYPE, job.type())
              .setAttribute(TENANT, job.tenant())
              .startSpan();
      Map<String, String> w3c = W3cContext.inject(parent.with(span));
      return new ProducerSend(
          span, w3c.get(W3cContext.TRACEPARENT), w3c.get(W3cContext.TRACESTATE));
    } catch (RuntimeException e) {
      log.warn(
          "Could not start the enqueue span of job {} ({}); storing no trace",
          job.id(),
          job.type(),
          e);
      return () -> null;
    }
  }

  /** Starts the attempt's consumer span and makes it current until the execution is closed. */
  @Override
  public Execution execute(Job job) {
    try {
      Map<String, String> metadata = job.metadata();
      SpanContext enqueue =
          W3cContext.extract(
              job.traceparent(), metadata == null ? null : metadata.get(TRACESTATE_METADATA_KEY));
      SpanBuilder builder =
          tracer()
              .spanBuilder(OPERATION_PROCESS + " " + job.queue())
              .setSpanKind(SpanKind.CONSUMER)
              .setAttribute(MESSAGING_SYSTEM, SYSTEM_KEEL)
              .setAttribute(MESSAGING_OPERATION_NAME, OPERATION_PROCESS)
              .setAttribute(MESSAGING_OPERATION_TYPE, OPERATION_PROCESS)
              .setAttribute(MESSAGING_DESTINATION_NAME, job.queue())
              .setAttribute(MESSAGING_MESSAGE_ID, String.valueOf(job.id()))
              .setAttribute(JOB_TYPE, job.type())
              .setAttribute(TENANT, job.tenant())
              .setAttribute(JOB_ATTEMPT, (long) job.attempt())
              .setAttribute(JOB_MAX_ATTEMPTS, (long) job.maxAttempts());
      // The job's context, never the worker thread's: a worker thread may carry whatever context
      // was current where it was started (under the agent), which is no parent of this job.
      Context parent = Context.root();
      if (enqueue.isValid() && childOfEnqueue) {
        parent = parent.with(Span.wrap(enqueue));
        builder.setParent(parent);
      } else {
        builder.setNoParent();
        if (enqueue.isValid()) {
          builder.addLink(enqueue);
        }
      }
      Span span = builder.startSpan();
      return ConsumerExecution.start(span, parent.with(span));
    } catch (RuntimeException e) {
      log.warn(
          "Could not start the span of job {} ({}) attempt {}; running it untraced",
          job.id(),
          job.type(),
          job.attempt(),
          e);
      return () -> {};
    }
  }

  private Tracer tracer() {
    Tracer t = tracer;
    if (t == null) {
      synchronized (this) {
        t = tracer;
        if (t == null) {
          TracerBuilder b = openTelemetry.get().tracerBuilder(INSTRUMENTATION_NAME);
          String version = KeelTracing.class.getPackage().getImplementationVersion();
          if (version != null) {
            b.setInstrumentationVersion(version);
          }
          t = b.build();
          tracer = t;
        }
      }
    }
    return t;
  }

  @Override
  public String toString() {
    return "KeelTracing[childOfEnqueue=" + childOfEnqueue + "]";
  }

  /** Configures a {@link KeelTracing}. */
  public static final class Builder {
    private final Supplier<OpenTelemetry> openTelemetry;
    private boolean childOfEnqueue = true;
    private boolean childOfEnqueueSet;

    private Builder(Supplier<OpenTelemetry> openTelemetry) {
      this.openTelemetry = openTelemetry;
    }

    /**
     * True (the default): an attempt's consumer span is a child of the job's producer span, so a
     * request, the jobs it enqueued and all their attempts form one trace. False: each attempt's
     * span starts a trace of its own, with a span link to the producer span, which keeps traces of
     * requests short when jobs run much later, retry many times or fan out widely.
     *
     * @throws KeelConfigurationException if set twice
     */
    public Builder childOfEnqueue(boolean childOfEnqueue) {
      if (childOfEnqueueSet) {
        throw new KeelConfigurationException(
            "KeelTracing.childOfEnqueue was already set to " + this.childOfEnqueue);
      }
      childOfEnqueueSet = true;
      this.childOfEnqueue = childOfEnqueue;
      return this;
    }

    public KeelTracing build() {
      return new KeelTracing(this);
    }
  }
}
