package dev.keel.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;

/** Reading meters in tests. */
final class Meters {
  private final MeterRegistry registry;

  Meters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The sum of every function counter named {@code name} with these tags (0 if none). */
  double count(String name, String... tags) {
    return registry.find(name).tags(tags).functionCounters().stream()
        .mapToDouble(FunctionCounter::count)
        .sum();
  }

  /** The value of the one gauge named {@code name} with these tags; fails if absent. */
  double gauge(String name, String... tags) {
    Collection<Gauge> gauges = registry.find(name).tags(tags).gauges();
    assertThat(gauges).as("gauge %s %s", name, String.join(",", tags)).hasSize(1);
    return gauges.iterator().next().value();
  }

  /** Whether a gauge named {@code name} with these tags exists. */
  boolean hasGauge(String name, String... tags) {
    return !registry.find(name).tags(tags).gauges().isEmpty();
  }

  /** The one timer named {@code name} with these tags; fails if absent. */
  Timer timer(String name, String... tags) {
    Collection<Timer> timers = registry.find(name).tags(tags).timers();
    assertThat(timers).as("timer %s %s", name, String.join(",", tags)).hasSize(1);
    return timers.iterator().next();
  }

  /** Reads every gauge once, as a scrape does. */
  void scrape() {
    registry.getMeters().forEach(m -> m.measure().forEach(ms -> ms.getValue()));
  }
}
