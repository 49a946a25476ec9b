package dev.keel.queue.inline;

import dev.keel.queue.JobError;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ChangeResult;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.PruneResult;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.RescueRequest;
import dev.keel.queue.spi.RescueResult;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Changes made from outside a worker: cancel, re-drive, rescue of expired leases, and pruning of
 * finished jobs.
 */
final class JobAdmin {
  static final String LEASE_EXPIRED = "lease expired";

  private final InstantSource clock;
  private final JobStore store;
  private final IdempotencyIndex idempotency;
  private final WakeupHub wakeups;

  JobAdmin(InstantSource clock, JobStore store, IdempotencyIndex idempotency, WakeupHub wakeups) {
    this.clock = clock;
    this.store = store;
    this.idempotency = idempotency;
    this.wakeups = wakeups;
  }

  ChangeResult cancel(CancelRequest request) {
    Optional<JobRecord> found = store.get(request.job());
    if (found.isEmpty()) {
      return ChangeResult.notFound();
    }
    JobRecord r = found.get();
    synchronized (r) {
      boolean changed = r.state().isActive();
      if (changed) {
        // The reason is kept where a handler's cancellation keeps it (Finish.Cancel): lastError.
        store.end(r, JobState.CANCELLED, clock.instant(), JobError.of(request.reason()));
      }
      return new ChangeResult(Optional.of(r.snapshot()), changed);
    }
  }

  ChangeResult redrive(RedriveRequest request) {
    Optional<JobRecord> found = store.get(request.job());
    if (found.isEmpty()) {
      return ChangeResult.notFound();
    }
    JobRecord r = found.get();
    ChangeResult result;
    synchronized (r) {
      boolean changed = r.state() == JobState.FAILED;
      if (changed) {
        store.redrive(r, clock.instant());
      }
      result = new ChangeResult(Optional.of(r.snapshot()), changed);
    }
    if (result.changed()) {
      retakeKey(r);
      wakeups.signal(Set.of(r.queue));
    }
    return result;
  }

  /**
   * An active job holds its key again, unless another job took the key while this one was FAILED.
   * Done outside the job's monitor: the key lock is always taken before a job's monitor.
   */
  private void retakeKey(JobRecord r) {
    if (r.idempotencyKey == null) {
      return;
    }
    IdempotencyIndex.Key key = new IdempotencyIndex.Key(r.tenant, r.idempotencyKey);
    idempotency.withLocks(
        List.of(key),
        () -> {
          UUID holderId = idempotency.lastHolder(key);
          JobRecord holder = holderId == null ? null : store.get(holderId);
          if (holder == null || holder == r || !holder.holdsKeyAt(clock.instant())) {
            idempotency.take(key, r.id);
          }
          return null;
        });
  }

  /** A RUNNING job seen with an expired lease, and when it expired. */
  private record Expired(JobRecord record, Instant expiresAt) {}

  RescueResult rescue(RescueRequest request) {
    Instant now = clock.instant();
    List<Expired> expired = new ArrayList<>();
    for (JobRecord r : store.running()) {
      Instant expiresAt = r.leaseExpiresAt();
      if (expiresAt != null && !expiresAt.isAfter(now)) {
        expired.add(new Expired(r, expiresAt));
      }
    }
    // Longest expired first, so a bounded rescue never starves old leases.
    expired.sort(Comparator.comparing(Expired::expiresAt));
    List<UUID> retried = new ArrayList<>();
    List<UUID> failed = new ArrayList<>();
    Set<String> queues = new LinkedHashSet<>();
    for (Expired candidate : expired) {
      if (retried.size() + failed.size() >= request.limit()) {
        break;
      }
      JobRecord r = candidate.record();
      synchronized (r) {
        if (!r.leaseExpiredAt(now)) {
          continue; // heartbeat, finish or cancel came first
        }
        JobError error = JobError.of(LEASE_EXPIRED);
        int extra = r.hasSteps() ? dev.keel.queue.spi.RescueRequest.EXTRA_RUNS_WITH_STEPS : 0;
        if (r.attempt() < r.maxAttempts + extra) {
          store.requeue(r, now, 0, error);
          retried.add(r.id);
          queues.add(r.queue);
        } else {
          store.end(r, JobState.FAILED, now, error);
          failed.add(r.id);
        }
      }
    }
    wakeups.signal(queues);
    return new RescueResult(retried, failed);
  }

  PruneResult prune(PruneRequest request) {
    Instant now = clock.instant();
    long deleted = 0;
    for (JobRecord r : store.from(null)) {
      if (deleted >= request.limit()) {
        break;
      }
      synchronized (r) {
        Duration retention = retention(r.state(), request);
        if (retention != null && r.finishedAt().isBefore(now.minus(retention))) {
          store.delete(r);
          deleted++;
          if (r.idempotencyKey != null) {
            idempotency.forget(new IdempotencyIndex.Key(r.tenant, r.idempotencyKey), r.id);
          }
        }
      }
    }
    return new PruneResult(deleted);
  }

  /** The retention of a terminal state; null for PENDING and RUNNING, which are never pruned. */
  private static Duration retention(JobState state, PruneRequest request) {
    switch (state) {
      case SUCCEEDED:
        return request.succeededRetention();
      case FAILED:
        return request.failedRetention();
      case CANCELLED:
        return request.cancelledRetention();
      default:
        return null;
    }
  }
}
