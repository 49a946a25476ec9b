package dev.keel.queue.inline;

import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.JobRef;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/**
 * The jobs and their indexes, and the state machine that keeps them in step. Every transition takes
 * the job's own monitor and changes the job and the indexes under it; there is no global lock. Jobs
 * are kept in id order so that list paging is a range scan.
 */
final class JobStore {
  private final NavigableMap<UUID, JobRecord> jobs = new ConcurrentSkipListMap<>();
  private final PendingIndex pending = new PendingIndex();
  private final Set<JobRecord> running = ConcurrentHashMap.newKeySet();

  /**
   * RUNNING jobs per concurrency key. Claims of one key are serialised on the key's entry in {@link
   * #keyLocks} (taken before any job's monitor, never while holding one); other transitions change
   * the set under the job's monitor alone, which can only make a key less full.
   */
  private final Map<String, Set<JobRecord>> runningByKey = new ConcurrentHashMap<>();

  private final Map<String, Object> keyLocks = new ConcurrentHashMap<>();

  JobRecord get(UUID id) {
    return jobs.get(id);
  }

  /** The job if it exists in that tenant: another tenant's job is "not found". */
  Optional<JobRecord> get(JobRef ref) {
    JobRecord r = jobs.get(ref.id());
    return r != null && r.tenant.equals(ref.tenant()) ? Optional.of(r) : Optional.empty();
  }

  boolean contains(UUID id) {
    return jobs.containsKey(id);
  }

  /** Every job in id order, starting after {@code after} (exclusive) when it is not null. */
  Collection<JobRecord> from(UUID after) {
    return after == null ? jobs.values() : jobs.tailMap(after, false).values();
  }

  /** A snapshot of the RUNNING jobs. */
  List<JobRecord> running() {
    return List.copyOf(running);
  }

  Collection<String> pendingQueues(Set<String> names) {
    return pending.queues(names);
  }

  List<PendingKey> dueKeys(String queue, Instant now, Predicate<PendingKey> accept, int max) {
    return pending.dueKeys(queue, now, accept, max);
  }

  void insert(JobRecord r) {
    synchronized (r) {
      jobs.put(r.id, r);
      if (!r.blocked()) {
        pending.add(r.queue, r.pendingKey());
      }
    }
  }

  /** A blocked PENDING job becomes claimable now; false if it was not blocked any more. */
  boolean release(JobRecord r, Instant now) {
    synchronized (r) {
      if (r.state() != JobState.PENDING || !r.blocked()) {
        return false;
      }
      r.release(now);
      pending.add(r.queue, r.pendingKey());
      return true;
    }
  }

  /**
   * Claims {@code r} if it is still PENDING at {@code key}; returns the RUNNING snapshot, or null
   * if another claim or a cancel got there first. A job with a concurrency key is claimed only
   * while fewer than its limit of that key's jobs hold an unexpired lease: when the key is full the
   * job stays PENDING, its key is added to {@code fullKeys} and null returned.
   */
  Job claim(
      JobRecord r,
      PendingKey key,
      String owner,
      String token,
      Instant now,
      Duration lease,
      Set<String> fullKeys) {
    if (r.concurrencyKey == null) {
      return claimPending(r, key, owner, token, now, lease);
    }
    synchronized (keyLocks.computeIfAbsent(r.concurrencyKey, k -> new Object())) {
      long holding = 0;
      for (JobRecord other : runningByKey.getOrDefault(r.concurrencyKey, Set.of())) {
        if (!other.leaseExpiredAt(now) && other.state() == JobState.RUNNING) {
          holding++;
        }
      }
      if (holding >= r.concurrencyLimit) {
        fullKeys.add(r.concurrencyKey);
        return null;
      }
      return claimPending(r, key, owner, token, now, lease);
    }
  }

  private Job claimPending(
      JobRecord r, PendingKey key, String owner, String token, Instant now, Duration lease) {
    synchronized (r) {
      if (r.state() != JobState.PENDING || r.pendingKey().compareTo(key) != 0) {
        // Taken or changed meanwhile. The key cannot still be indexed then; removing it anyway
        // guarantees that a claim loop never sees the same dead candidate twice.
        pending.remove(r.queue, key);
        return null;
      }
      pending.remove(r.queue, key);
      r.start(owner, token, now, now.plus(lease));
      running.add(r);
      if (r.concurrencyKey != null) {
        runningByKey.computeIfAbsent(r.concurrencyKey, k -> ConcurrentHashMap.newKeySet()).add(r);
      }
      return r.snapshot();
    }
  }

  /** RUNNING → PENDING at {@code runAt}; caller holds {@code r}'s monitor and checked the state. */
  void requeue(JobRecord r, Instant runAt, int attemptChange, JobError error) {
    stopRunning(r);
    r.requeue(runAt, attemptChange, error);
    pending.add(r.queue, r.pendingKey());
  }

  /** PENDING or RUNNING → a terminal state; caller holds {@code r}'s monitor. */
  void end(JobRecord r, JobState terminal, Instant now, JobError error) {
    if (r.state() == JobState.PENDING) {
      pending.remove(r.queue, r.pendingKey());
    } else {
      stopRunning(r);
    }
    r.end(terminal, now, error);
  }

  private void stopRunning(JobRecord r) {
    running.remove(r);
    if (r.concurrencyKey != null) {
      Set<JobRecord> holders = runningByKey.get(r.concurrencyKey);
      if (holders != null) {
        holders.remove(r);
      }
    }
  }

  /** PENDING (not blocked) → due at {@code runAt}; caller holds {@code r}'s monitor. */
  void reschedule(JobRecord r, Instant runAt) {
    pending.remove(r.queue, r.pendingKey());
    r.reschedule(runAt);
    pending.add(r.queue, r.pendingKey());
  }

  /** FAILED → PENDING, due now; caller holds {@code r}'s monitor and checked the state. */
  void redrive(JobRecord r, Instant now) {
    r.redrive(now);
    pending.add(r.queue, r.pendingKey());
  }

  /** Drops a terminal job; caller holds {@code r}'s monitor. */
  void delete(JobRecord r) {
    jobs.remove(r.id, r);
  }
}
