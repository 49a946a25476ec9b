package dev.keel.opentelemetry;

import static dev.keel.opentelemetry.SpanAttributes.ERROR_TYPE;
import static dev.keel.opentelemetry.SpanAttributes.EXCEPTION_EVENT;
import static dev.keel.opentelemetry.SpanAttributes.EXCEPTION_MESSAGE;
import static dev.keel.opentelemetry.SpanAttributes.EXCEPTION_STACKTRACE;
import static dev.keel.opentelemetry.SpanAttributes.EXCEPTION_TYPE;
import static dev.keel.opentelemetry.SpanAttributes.JOB_CANCEL_REASON;
import static dev.keel.opentelemetry.SpanAttributes.JOB_DELAY_MS;
import static dev.keel.opentelemetry.SpanAttributes.JOB_OUTCOME;
import static dev.keel.opentelemetry.SpanAttributes.OTHER_ERROR;

import dev.keel.queue.JobError;
import dev.keel.queue.JobEvent;
import dev.keel.queue.TracePropagator;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * The consumer span of one attempt: current (and in the MDC) on the worker thread from {@link
 * #start} until {@link #close}, which ends it and puts back what was there before.
 */
final class ConsumerExecution implements TracePropagator.Execution {
  static final String MDC_TRACE_ID = "traceId";
  static final String MDC_SPAN_ID = "spanId";

  /** A Java class name, as the first line of a stack trace starts with. */
  private static final Pattern CLASS_NAME =
      Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)+");

  private final Span span;
  private final Scope scope;
  private final boolean mdcSet;
  private final String previousTraceId;
  private final String previousSpanId;
  private boolean closed;

  private ConsumerExecution(
      Span span, Scope scope, boolean mdcSet, String previousTraceId, String previousSpanId) {
    this.span = span;
    this.scope = scope;
    this.mdcSet = mdcSet;
    this.previousTraceId = previousTraceId;
    this.previousSpanId = previousSpanId;
  }

  /** Makes {@code context} (holding {@code span}) current and puts the span's ids in the MDC. */
  static ConsumerExecution start(Span span, Context context) {
    SpanContext sc = span.getSpanContext();
    boolean mdcSet = sc.isValid();
    String previousTraceId = null;
    String previousSpanId = null;
    if (mdcSet) {
      previousTraceId = MDC.get(MDC_TRACE_ID);
      previousSpanId = MDC.get(MDC_SPAN_ID);
      MDC.put(MDC_TRACE_ID, sc.getTraceId());
      MDC.put(MDC_SPAN_ID, sc.getSpanId());
    }
    Scope scope;
    try {
      scope = context.makeCurrent();
    } catch (RuntimeException e) {
      restore(mdcSet, previousTraceId, previousSpanId);
      span.end();
      throw e;
    }
    return new ConsumerExecution(span, scope, mdcSet, previousTraceId, previousSpanId);
  }

  @Override
  public void outcome(JobEvent event) {
    if (event instanceof JobEvent.Succeeded) {
      span.setAttribute(JOB_OUTCOME, "succeeded");
    } else if (event instanceof JobEvent.Retrying r) {
      span.setAttribute(JOB_OUTCOME, "retrying");
      delay(r.delay());
      error(r.error());
    } else if (event instanceof JobEvent.Failed f) {
      span.setAttribute(JOB_OUTCOME, "failed");
      error(f.error());
    } else if (event instanceof JobEvent.Snoozed s) {
      span.setAttribute(JOB_OUTCOME, "snoozed");
      delay(s.delay());
    } else if (event instanceof JobEvent.Cancelled c) {
      span.setAttribute(JOB_OUTCOME, "cancelled");
      if (c.reason() != null) {
        span.setAttribute(JOB_CANCEL_REASON, c.reason());
      }
    } else if (event instanceof JobEvent.Throttled t) {
      span.setAttribute(JOB_OUTCOME, "throttled");
      delay(t.delay());
    } else if (event instanceof JobEvent.LeaseLost) {
      span.setAttribute(JOB_OUTCOME, "lease_lost");
    } else if (event instanceof JobEvent.Released) {
      span.setAttribute(JOB_OUTCOME, "released");
    }
  }

  private void delay(Duration delay) {
    if (delay != null) {
      span.setAttribute(JOB_DELAY_MS, delay.toMillis());
    }
  }

  /**
   * Status ERROR and an {@code exception} event as the exception semantic conventions name its
   * attributes: there is no Throwable here, only the error stored on the job.
   */
  private void error(JobError error) {
    if (error == null) {
      span.setStatus(StatusCode.ERROR);
      span.setAttribute(ERROR_TYPE, OTHER_ERROR);
      return;
    }
    String type = exceptionType(error.stackTrace());
    AttributesBuilder attributes = Attributes.builder();
    if (type != null) {
      attributes.put(EXCEPTION_TYPE, type);
    }
    attributes.put(EXCEPTION_MESSAGE, error.message());
    if (!error.stackTrace().isEmpty()) {
      attributes.put(EXCEPTION_STACKTRACE, error.stackTrace());
    }
    span.addEvent(EXCEPTION_EVENT, attributes.build());
    span.setAttribute(ERROR_TYPE, type != null ? type : OTHER_ERROR);
    span.setStatus(StatusCode.ERROR, error.message());
  }

  /** The exception class a stack trace's first line names, or null. */
  static String exceptionType(String stackTrace) {
    if (stackTrace == null || stackTrace.isEmpty()) {
      return null;
    }
    int eol = stackTrace.indexOf('\n');
    String first = (eol < 0 ? stackTrace : stackTrace.substring(0, eol)).strip();
    int colon = first.indexOf(':');
    String candidate = colon < 0 ? first : first.substring(0, colon);
    return CLASS_NAME.matcher(candidate).matches() ? candidate : null;
  }

  /** Ends the span, leaves its context and puts the MDC back. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      span.end();
    } finally {
      try {
        scope.close();
      } finally {
        restore(mdcSet, previousTraceId, previousSpanId);
      }
    }
  }

  private static void restore(boolean mdcSet, String traceId, String spanId) {
    if (!mdcSet) {
      return;
    }
    put(MDC_TRACE_ID, traceId);
    put(MDC_SPAN_ID, spanId);
  }

  private static void put(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
