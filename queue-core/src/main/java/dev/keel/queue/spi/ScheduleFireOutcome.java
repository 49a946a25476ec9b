package dev.keel.queue.spi;

import dev.keel.queue.EnqueueResult;
import java.util.List;
import java.util.Objects;

/** What one {@link ScheduleFire} did. */
public record ScheduleFireOutcome(String name, Kind kind, List<EnqueueResult> jobs) {

  public enum Kind {
    /** The jobs (possibly none) were inserted and {@code nextFireAt} moved on. */
    FIRED,
    /** The last job was still active under {@code SKIP}: no job, {@code nextFireAt} moved on. */
    SKIPPED_OVERLAP,
    /** The last job was still active under {@code WAIT}: nothing changed. */
    WAITING_OVERLAP,
    /** Not stored with the expected version and next fire time, or paused: nothing changed. */
    STALE
  }

  public ScheduleFireOutcome {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    jobs = List.copyOf(jobs);
  }
}
