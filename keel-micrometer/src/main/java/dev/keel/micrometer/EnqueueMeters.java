package dev.keel.micrometer;

import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.LongAdder;

/** Enqueues of one type[, tenant]: new jobs, and enqueues answered by an existing job. */
final class EnqueueMeters {
  final String type;
  final Tags tags;
  final LongAdder created = new LongAdder();
  final LongAdder existing = new LongAdder();

  /** Guarded by the owning {@link KeelMetrics}. */
  boolean bound;

  EnqueueMeters(String type, Tags tags) {
    this.type = type;
    this.tags = tags;
  }
}
