package dev.keel.queue.spi;

import dev.keel.queue.JobProgress;
import dev.keel.queue.Lease;
import java.util.List;
import java.util.Objects;

/** Store progress for RUNNING jobs, each fenced by its lease. */
public record ProgressRequest(List<Update> updates) {
  public ProgressRequest {
    updates = List.copyOf(updates);
  }

  public record Update(Lease lease, JobProgress progress) {
    public Update {
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(progress, "progress");
    }
  }
}
