package dev.keel.queue.spi;

import java.util.Objects;

/** A stored schedule addressed by name. */
public record ScheduleRef(String name) {
  public ScheduleRef {
    Objects.requireNonNull(name, "name");
  }
}
