package dev.keel.queue;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What {@link JobClient#enqueueBatch} wrote.
 *
 * @param id the new batch's id
 * @param jobs one result per member request, in order
 * @param onSuccess the on-success callback job, or null
 * @param onComplete the on-complete callback job, or null
 */
public record BatchResult(
    UUID id, List<EnqueueResult> jobs, EnqueueResult onSuccess, EnqueueResult onComplete) {
  public BatchResult {
    jobs = List.copyOf(jobs);
  }

  public Optional<EnqueueResult> onSuccessIfSet() {
    return Optional.ofNullable(onSuccess);
  }

  public Optional<EnqueueResult> onCompleteIfSet() {
    return Optional.ofNullable(onComplete);
  }
}
