package dev.keel.queue.spi;

import dev.keel.queue.JobState;
import java.util.Objects;

/**
 * The outcome of {@link QueueBackend#signal}.
 *
 * @param outcome what happened
 * @param state the job's state after the call; null when {@code outcome} is NOT_FOUND
 */
public record SignalResult(Outcome outcome, JobState state) {
  public enum Outcome {
    /** Stored (and the job woken if it was waiting for it). */
    STORED,
    /** A signal of that name was already stored; nothing changed. */
    DUPLICATE,
    /** No such job in that tenant. */
    NOT_FOUND,
    /** The job is SUCCEEDED or CANCELLED; nothing stored. */
    FINISHED
  }

  public SignalResult {
    Objects.requireNonNull(outcome, "outcome");
  }
}
