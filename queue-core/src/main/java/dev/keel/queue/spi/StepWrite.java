package dev.keel.queue.spi;

import java.util.Objects;

/**
 * One step record of a job as core writes it. The backend does not read {@code body}: it stores it
 * under {@code name} (replacing an earlier record of that name) and lists records by {@code seq}.
 *
 * @param name unique within the job
 * @param seq the order in which the job first reached the step (0, 1, …); kept on replacement
 * @param body JSON written and read by core only
 */
public record StepWrite(String name, int seq, String body) {
  public StepWrite {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(body, "body");
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative, was " + seq);
    }
  }
}
