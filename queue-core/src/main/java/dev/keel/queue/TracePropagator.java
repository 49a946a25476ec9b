package dev.keel.queue;

/**
 * Carries trace context from enqueue to execution. {@link #capture()} runs on the enqueueing
 * thread; {@link #restore} runs on the worker thread around the handler. The default reads and
 * writes the SLF4J MDC key {@code traceparent}; plug in OpenTelemetry or another tracer by
 * implementing this.
 */
public interface TracePropagator {

  /** The current W3C traceparent, or null if there is none. */
  String capture();

  /** Make {@code traceparent} current until the returned scope is closed. */
  Scope restore(String traceparent);

  /** Closes what {@link #restore} opened; never throws. */
  interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** The MDC-based default. */
  static TracePropagator mdc() {
    return dev.keel.queue.internal.MdcTracePropagator.INSTANCE;
  }
}
