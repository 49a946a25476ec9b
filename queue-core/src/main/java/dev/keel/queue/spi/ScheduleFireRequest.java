package dev.keel.queue.spi;

import java.util.List;
import java.util.Objects;

/**
 * Several independent fires in one round trip. Each is atomic on its own (see {@link
 * ScheduleFire}); one that is stale does not stop the others.
 */
public record ScheduleFireRequest(List<ScheduleFire> fires) {
  public ScheduleFireRequest {
    fires = List.copyOf(Objects.requireNonNull(fires, "fires"));
  }
}
