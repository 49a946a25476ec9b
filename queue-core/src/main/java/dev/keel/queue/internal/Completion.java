package dev.keel.queue.internal;

import dev.keel.queue.JobEvent;
import dev.keel.queue.spi.Finish;

/**
 * The result of running a job, before it is stored: the finish to apply (null when the lease was
 * already lost, so there is nothing to store) and the event to publish once it is applied.
 */
public record Completion(RunningJob job, Finish finish, JobEvent event) {}
