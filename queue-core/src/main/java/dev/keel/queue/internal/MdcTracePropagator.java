package dev.keel.queue.internal;

import dev.keel.queue.TracePropagator;
import org.slf4j.MDC;

/** Reads and writes the MDC key {@code traceparent}. */
public enum MdcTracePropagator implements TracePropagator {
  INSTANCE;

  public static final String KEY = "traceparent";

  @Override
  public String capture() {
    return MDC.get(KEY);
  }

  @Override
  public Scope restore(String traceparent) {
    if (traceparent == null) {
      return () -> {};
    }
    String previous = MDC.get(KEY);
    MDC.put(KEY, traceparent);
    return () -> {
      if (previous == null) {
        MDC.remove(KEY);
      } else {
        MDC.put(KEY, previous);
      }
    };
  }
}
