package dev.keel.queue.spi;

import dev.keel.queue.Job;
import java.util.List;

/** The claimed jobs, each RUNNING with a fresh lease, in claim order (priority, run-at, id). */
public record ClaimResponse(List<Job> jobs) {
  public ClaimResponse {
    jobs = List.copyOf(jobs);
  }
}
