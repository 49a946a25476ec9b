package dev.keel.opentelemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes and reads the W3C {@code traceparent} and {@code tracestate} a job carries, always with
 * {@link W3CTraceContextPropagator} (whatever propagators the application configured for HTTP),
 * since the job's fields are defined as W3C trace context.
 */
final class W3cContext {
  static final String TRACEPARENT = "traceparent";
  static final String TRACESTATE = "tracestate";

  private static final W3CTraceContextPropagator PROPAGATOR =
      W3CTraceContextPropagator.getInstance();

  private static final TextMapSetter<Map<String, String>> SETTER =
      (carrier, key, value) -> {
        if (carrier != null) {
          carrier.put(key, value);
        }
      };

  private static final TextMapGetter<Map<String, String>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private W3cContext() {}

  /** The traceparent (key {@value #TRACEPARENT}) and tracestate of {@code context}'s span. */
  static Map<String, String> inject(Context context) {
    Map<String, String> carrier = new HashMap<>(4);
    PROPAGATOR.inject(context, carrier, SETTER);
    return carrier;
  }

  /**
   * The span context a stored traceparent and tracestate name, as a remote parent; {@link
   * SpanContext#getInvalid()} for a missing, empty or malformed traceparent (never throws).
   */
  static SpanContext extract(String traceparent, String tracestate) {
    if (traceparent == null || traceparent.isBlank()) {
      return SpanContext.getInvalid();
    }
    Map<String, String> carrier = new HashMap<>(4);
    carrier.put(TRACEPARENT, traceparent.trim());
    if (tracestate != null && !tracestate.isBlank()) {
      carrier.put(TRACESTATE, tracestate);
    }
    try {
      return Span.fromContext(PROPAGATOR.extract(Context.root(), carrier, GETTER)).getSpanContext();
    } catch (RuntimeException e) {
      return SpanContext.getInvalid(); // the propagator does not throw; this is belt and braces
    }
  }
}
