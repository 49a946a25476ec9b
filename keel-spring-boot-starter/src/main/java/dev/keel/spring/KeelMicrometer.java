package dev.keel.spring;

import dev.keel.micrometer.KeelMetrics;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobListener;
import dev.keel.queue.Keel;
import dev.keel.queue.MaintenanceReport;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Keel's Micrometer meters in a Spring application: a listener on the Keel bean, bound to the
 * application's {@link MeterRegistry} once every singleton exists (the gauges read the Keel bean,
 * which needs this listener first, so binding waits). Deliberately not a {@code MeterBinder} bean,
 * which Boot would bind before the Keel bean is there.
 */
public final class KeelMicrometer implements JobListener, SmartInitializingSingleton {
  private final KeelMetrics metrics;
  private final ObjectProvider<Keel> keel;
  private final ObjectProvider<MeterRegistry> registry;

  KeelMicrometer(
      KeelMetrics metrics, ObjectProvider<Keel> keel, ObjectProvider<MeterRegistry> registry) {
    this.metrics = metrics;
    this.keel = keel;
    this.registry = registry;
  }

  /** The meters themselves. */
  public KeelMetrics metrics() {
    return metrics;
  }

  @Override
  public void onEvent(JobEvent event) {
    metrics.onEvent(event);
  }

  @Override
  public void onMaintenance(MaintenanceReport report) {
    metrics.onMaintenance(report);
  }

  @Override
  public void afterSingletonsInstantiated() {
    metrics.monitor(keel.getObject());
    metrics.bindTo(registry.getObject());
  }
}
