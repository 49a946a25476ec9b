package dev.keel.queue;

import java.util.UUID;

/**
 * What a running handler sees of its job.
 *
 * @param <T> the payload type
 */
public interface JobContext<T> {

  /** The job as claimed (state RUNNING, this attempt's lease). */
  Job job();

  /** The payload, deserialized to the handler's type. */
  T payload();

  default UUID id() {
    return job().id();
  }

  default String tenant() {
    return job().tenant();
  }

  /** 1 for the first attempt. */
  default int attempt() {
    return job().attempt();
  }

  /**
   * Report progress. Cheap to call often: writes are throttled to at most one per second per job,
   * and the last value is always written before the job finishes.
   *
   * @throws InvalidJobException if percent is outside 0–100 or the message is too long
   */
  void progress(int percent, String message);

  /**
   * True once this worker no longer holds the job (lease lost, cancelled, timed out, shutting
   * down). A handler doing long work should check it, or react to the interrupt.
   */
  boolean isStopRequested();
}
