package dev.keel.queue.inline;

import dev.keel.queue.JobError;
import dev.keel.queue.JobState;
import dev.keel.queue.Lease;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.HeartbeatRequest;
import dev.keel.queue.spi.ProgressRequest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The calls a worker makes on jobs it holds: heartbeat, progress and finish. Each is checked
 * against the lease token under the job's lock and either applied completely or reported lost.
 */
final class LeaseFence {
  private final InstantSource clock;
  private final JobStore store;
  private final WakeupHub wakeups;

  private final LinkTable links;

  LeaseFence(InstantSource clock, JobStore store, WakeupHub wakeups, LinkTable links) {
    this.links = links;
    this.clock = clock;
    this.store = store;
    this.wakeups = wakeups;
  }

  FencedResult heartbeat(HeartbeatRequest request) {
    Instant now = clock.instant();
    Outcome outcome = new Outcome();
    for (Lease lease : request.leases()) {
      outcome.apply(
          lease,
          // A keyed job's expired lease has given its slot away: it is not renewed (see
          // QueueBackend.heartbeat), so the worker learns it lost the job.
          r -> r.concurrencyKey == null || !r.leaseExpiredAt(now),
          r -> r.extendLease(now, now.plus(request.leaseDuration())));
    }
    return outcome.result();
  }

  FencedResult progress(ProgressRequest request) {
    Outcome outcome = new Outcome();
    for (ProgressRequest.Update update : request.updates()) {
      outcome.apply(update.lease(), r -> r.storeProgress(update.progress()));
    }
    return outcome.result();
  }

  FencedResult finish(FinishRequest request) {
    Instant now = clock.instant();
    Outcome outcome = new Outcome();
    Set<String> requeued = new LinkedHashSet<>();
    List<JobRecord> ended = new java.util.ArrayList<>();
    for (Finish finish : request.finishes()) {
      outcome.apply(
          finish.lease(),
          r -> {
            if (applyFinish(finish, r, now)) {
              requeued.add(r.queue);
            } else {
              ended.add(r);
            }
          });
    }
    wakeups.signal(requeued);
    // Outside the jobs' monitors: the link table's lock is taken before a job's, never after.
    outcome.toResolve.addAll(links.needingResolution(ended));
    return outcome.result();
  }

  /** Applies one finish to a job whose lease was checked; true if it went back to PENDING. */
  private boolean applyFinish(Finish finish, JobRecord r, Instant now) {
    if (finish instanceof Finish.Succeed) {
      store.end(r, JobState.SUCCEEDED, now, null);
      return false;
    } else if (finish instanceof Finish.Retry) {
      Finish.Retry retry = (Finish.Retry) finish;
      store.requeue(r, now.plus(retry.delay()), 0, retry.error());
      return true;
    } else if (finish instanceof Finish.Fail) {
      store.end(r, JobState.FAILED, now, ((Finish.Fail) finish).error());
      return false;
    } else if (finish instanceof Finish.Snooze) {
      store.requeue(r, now.plus(((Finish.Snooze) finish).delay()), -1, null);
      return true;
    } else if (finish instanceof Finish.Cancel) {
      store.end(r, JobState.CANCELLED, now, JobError.of(((Finish.Cancel) finish).reason()));
      return false;
    } else if (finish instanceof Finish.Release) {
      store.requeue(r, r.runAt(), -1, null);
      return true;
    }
    throw new IllegalArgumentException("finish: unknown variant " + finish.getClass().getName());
  }

  /** Collects which leases were applied and which were lost. */
  private final class Outcome {
    private final Set<UUID> applied = new LinkedHashSet<>();
    private final Set<UUID> lost = new LinkedHashSet<>();
    private final Set<UUID> toResolve = new LinkedHashSet<>();

    void apply(Lease lease, Consumer<JobRecord> change) {
      apply(lease, r -> true, change);
    }

    void apply(Lease lease, Predicate<JobRecord> allowed, Consumer<JobRecord> change) {
      JobRecord r = store.get(lease.jobId());
      if (r == null) {
        lost.add(lease.jobId());
        return;
      }
      synchronized (r) {
        if (r.isLeasedWith(lease.token()) && allowed.test(r)) {
          change.accept(r);
          applied.add(lease.jobId());
        } else if (!applied.contains(lease.jobId())) {
          // A job named twice in one call keeps its first outcome: the sets stay disjoint.
          lost.add(lease.jobId());
        }
      }
    }

    FencedResult result() {
      return new FencedResult(applied, lost, toResolve);
    }
  }
}
