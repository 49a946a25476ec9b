package dev.keel.queue;

import java.time.Duration;

/** Something that happened to a job in this process, delivered to {@link JobListener}s. */
public sealed interface JobEvent {

  /** The job (for Enqueued: its id, type and tenant only are meaningful through the result). */
  String type();

  record Enqueued(String type, String tenant, EnqueueResult result) implements JobEvent {}

  record Started(Job job) implements JobEvent {
    public String type() {
      return job.type();
    }
  }

  record Succeeded(Job job, Duration took) implements JobEvent {
    public String type() {
      return job.type();
    }
  }

  record Retrying(Job job, JobError error, Duration delay) implements JobEvent {
    public String type() {
      return job.type();
    }
  }

  record Failed(Job job, JobError error) implements JobEvent {
    public String type() {
      return job.type();
    }
  }

  record Snoozed(Job job, Duration delay) implements JobEvent {
    public String type() {
      return job.type();
    }
  }

  record Cancelled(Job job, String reason) implements JobEvent {
    public String type() {
      return job.type();
    }
  }

  /** A throttle deferred the job before it started; no attempt used. */
  record Throttled(Job job, Duration delay) implements JobEvent {
    public String type() {
      return job.type();
    }
  }

  /** Claimed but never started (shutdown); returned to PENDING without using an attempt. */
  record Released(Job job) implements JobEvent {
    public String type() {
      return job.type();
    }
  }

  /** This worker lost the job's lease (rescued elsewhere, cancelled); its result was discarded. */
  record LeaseLost(Job job) implements JobEvent {
    public String type() {
      return job.type();
    }
  }
}
