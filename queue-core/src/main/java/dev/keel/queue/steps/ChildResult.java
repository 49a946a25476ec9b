package dev.keel.queue.steps;

import dev.keel.queue.JobState;
import java.util.UUID;

/**
 * How one child job ended.
 *
 * @param id the child's id
 * @param type the child's job type
 * @param state SUCCEEDED, FAILED or CANCELLED; null if the child no longer existed when collected
 * @param result what the child returned with {@code JobOutcome.success(result)}, read as the step's
 *     result type; null if it returned none or did not succeed
 * @param error the child's last error message if it did not succeed; null otherwise
 */
public record ChildResult<R>(UUID id, String type, JobState state, R result, String error) {
  public boolean succeeded() {
    return state == JobState.SUCCEEDED;
  }
}
