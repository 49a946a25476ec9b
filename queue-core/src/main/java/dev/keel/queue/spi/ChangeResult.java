package dev.keel.queue.spi;

import dev.keel.queue.Job;
import java.util.Optional;

/**
 * The result of cancel or re-drive: the job as it is after the call (empty if no such job in that
 * tenant) and whether this call changed it.
 */
public record ChangeResult(Optional<Job> job, boolean changed) {
  public static ChangeResult notFound() {
    return new ChangeResult(Optional.empty(), false);
  }
}
