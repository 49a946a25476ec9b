package dev.keel.opentelemetry;

import dev.keel.queue.TracePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.concurrent.atomic.AtomicBoolean;

/** The producer span of one enqueued job, ended once the backend answered. */
final class ProducerSend implements TracePropagator.Send {
  private final Span span;
  private final String traceparent;
  private final String tracestate;
  private final AtomicBoolean ended = new AtomicBoolean();

  ProducerSend(Span span, String traceparent, String tracestate) {
    this.span = span;
    this.traceparent = traceparent;
    this.tracestate = tracestate;
  }

  @Override
  public String traceparent() {
    return traceparent;
  }

  @Override
  public String tracestate() {
    return tracestate;
  }

  @Override
  public void end(Throwable error) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    try {
      if (error != null) {
        span.recordException(error);
        span.setAttribute(SpanAttributes.ERROR_TYPE, error.getClass().getName());
        span.setStatus(
            StatusCode.ERROR,
            error.getMessage() == null ? error.getClass().getName() : error.getMessage());
      }
    } finally {
      span.end();
    }
  }
}
