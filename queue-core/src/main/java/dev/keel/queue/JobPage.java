package dev.keel.queue;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One page of jobs, ordered by id. {@link #next()} is the cursor for the following page: present
 * when this page is full (there may be more), empty on the last page.
 */
public record JobPage(List<Job> jobs, Optional<UUID> next) {
  public JobPage {
    jobs = List.copyOf(jobs);
  }

  /** Builds a page from up to {@code limit} jobs; the cursor is set when the page is full. */
  public static JobPage of(List<Job> jobs, int limit) {
    Optional<UUID> next =
        jobs.size() >= limit ? Optional.of(jobs.get(jobs.size() - 1).id()) : Optional.empty();
    return new JobPage(jobs, next);
  }
}
