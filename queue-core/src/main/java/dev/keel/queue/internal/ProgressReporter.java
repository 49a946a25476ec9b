package dev.keel.queue.internal;

import dev.keel.queue.JobProgress;
import dev.keel.queue.Lease;
import dev.keel.queue.spi.ProgressRequest;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Throttles one job's progress writes to at most one per {@link #INTERVAL}; the latest value not
 * yet written is written by {@link #flush()} before the job finishes. Called from the handler's
 * thread only.
 */
final class ProgressReporter {
  static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(ProgressReporter.class);

  private final QueueBackend backend;
  private final Lease lease;
  private final InstantSource clock;
  private Instant lastWrite;
  private JobProgress pending;

  ProgressReporter(QueueBackend backend, Lease lease, InstantSource clock) {
    this.backend = backend;
    this.lease = lease;
    this.clock = clock;
  }

  void report(JobProgress progress) {
    Instant now = clock.instant();
    if (lastWrite != null && now.isBefore(lastWrite.plus(INTERVAL))) {
      pending = progress;
      return;
    }
    pending = null;
    lastWrite = now;
    write(progress);
  }

  void flush() {
    if (pending != null) {
      JobProgress p = pending;
      pending = null;
      write(p);
    }
  }

  private void write(JobProgress progress) {
    try {
      backend.progress(new ProgressRequest(List.of(new ProgressRequest.Update(lease, progress))));
    } catch (RuntimeException e) {
      // Progress is advisory: a failed write must not fail the job; the next write or the
      // final flush carries the newest value.
      log.warn(
          "Could not store progress of job {}; will try again with the next value",
          lease.jobId(),
          e);
    }
  }
}
