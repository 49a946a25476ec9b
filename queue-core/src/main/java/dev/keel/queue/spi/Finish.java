package dev.keel.queue.spi;

import dev.keel.queue.JobError;
import dev.keel.queue.Lease;
import java.time.Duration;
import java.util.Objects;

/**
 * How a RUNNING job leaves the hands of its worker. Every variant is fenced by its lease: it
 * applies only while the job is RUNNING with the lease's token, and clears the lease when it does.
 * The retry decision was made by core; the backend only stores it.
 */
public sealed interface Finish {
  Lease lease();

  /** RUNNING → SUCCEEDED; finishedAt = backend now. */
  record Succeed(Lease lease) implements Finish {
    public Succeed {
      Objects.requireNonNull(lease, "lease");
    }
  }

  /**
   * RUNNING → PENDING with runAt = backend now + delay; lastError = error; the attempt stays
   * consumed.
   */
  record Retry(Lease lease, JobError error, Duration delay) implements Finish {
    public Retry {
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(error, "error");
      Objects.requireNonNull(delay, "delay");
    }
  }

  /** RUNNING → FAILED (terminal); lastError = error; finishedAt = backend now. */
  record Fail(Lease lease, JobError error) implements Finish {
    public Fail {
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(error, "error");
    }
  }

  /** RUNNING → PENDING with runAt = backend now + delay, giving the attempt back (attempt - 1). */
  record Snooze(Lease lease, Duration delay) implements Finish {
    public Snooze {
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(delay, "delay");
    }
  }

  /**
   * RUNNING → CANCELLED (terminal), chosen by the handler; lastError = reason; finishedAt = now.
   */
  record Cancel(Lease lease, String reason) implements Finish {
    public Cancel {
      Objects.requireNonNull(lease, "lease");
      reason = Objects.requireNonNullElse(reason, "cancelled by handler");
    }
  }

  /**
   * RUNNING → PENDING, runAt unchanged, giving the attempt back (attempt - 1): a job that was
   * claimed but never started (shutdown, prefetch).
   */
  record Release(Lease lease) implements Finish {
    public Release {
      Objects.requireNonNull(lease, "lease");
    }
  }
}
