package dev.keel.micrometer;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of one (queue, type[, tenant]): counters are plain adders, read by function counters
 * once bound, so events before {@code bindTo} still count; the timers exist only once bound.
 */
final class JobMeters {
  final String type;
  final Tags tags;
  final LongAdder started = new LongAdder();
  final LongAdder succeeded = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder cancelled = new LongAdder();
  final LongAdder snoozed = new LongAdder();
  final LongAdder throttled = new LongAdder();
  final LongAdder released = new LongAdder();
  final LongAdder leaseLost = new LongAdder();
  volatile Timer execution;
  volatile Timer queueWait;

  /** Guarded by the owning {@link KeelMetrics}. */
  boolean bound;

  JobMeters(String type, Tags tags) {
    this.type = type;
    this.tags = tags;
  }
}
