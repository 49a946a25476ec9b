package dev.keel.queue;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * How a job is tied to other jobs: the batch it belongs to, the jobs it waits for, and the batch
 * whose end it is a callback of. {@link #NONE} for an ordinary job.
 *
 * <p>A job with dependencies or a callback job is <em>blocked</em> when enqueued: it is PENDING but
 * never claimed until it is released. A blocked job's {@link Job#runAt()} is its creation time; it
 * runs as soon as it is released. See {@code docs/coordination.md}.
 *
 * @param batchId the batch this job is a member of, or null
 * @param dependsOn the jobs that must all SUCCEED before this one runs (empty for none)
 * @param onDependencyFailure what this job becomes when a dependency fails for good
 * @param callbackOf the batch whose end releases this job, or null
 * @param onlyOnBatchSuccess for a callback: released only if every member SUCCEEDED (otherwise
 *     CANCELLED); false: released when every member is terminal, whatever the outcome
 * @param blocked set by the backend on {@link Job}: the job still waits to be released. Ignored on
 *     {@link dev.keel.queue.spi.NewJob}.
 */
public record JobLinks(
    UUID batchId,
    List<UUID> dependsOn,
    DependencyFailure onDependencyFailure,
    UUID callbackOf,
    boolean onlyOnBatchSuccess,
    boolean blocked) {

  public static final JobLinks NONE =
      new JobLinks(null, List.of(), DependencyFailure.CANCEL, null, false, false);

  public JobLinks {
    dependsOn =
        dependsOn == null ? List.of() : List.copyOf(new LinkedHashSet<>(dependsOn)); // no repeats
    onDependencyFailure =
        onDependencyFailure == null ? DependencyFailure.CANCEL : onDependencyFailure;
    if (callbackOf == null && onlyOnBatchSuccess) {
      throw new IllegalArgumentException("onlyOnBatchSuccess needs callbackOf");
    }
    if (callbackOf != null && batchId != null) {
      throw new IllegalArgumentException("a batch callback is not a member of a batch");
    }
  }

  /** True if the job must wait to be released: it has dependencies or is a batch callback. */
  public boolean startsBlocked() {
    return !dependsOn.isEmpty() || callbackOf != null;
  }

  /** True for {@link #NONE}-like links: no batch, no dependencies, no callback. */
  public boolean isNone() {
    return batchId == null && dependsOn.isEmpty() && callbackOf == null;
  }

  /** These links with {@code blocked} set as a backend read it. */
  public JobLinks withBlocked(boolean value) {
    return value == blocked
        ? this
        : new JobLinks(
            batchId, dependsOn, onDependencyFailure, callbackOf, onlyOnBatchSuccess, value);
  }

  /** These links in another batch. */
  public JobLinks inBatch(UUID batch) {
    return Objects.equals(batch, batchId)
        ? this
        : new JobLinks(
            batch, dependsOn, onDependencyFailure, callbackOf, onlyOnBatchSuccess, false);
  }
}
