package dev.keel.queue.inline;

import dev.keel.queue.DependencyFailure;
import dev.keel.queue.InvalidJobException;
import dev.keel.queue.JobError;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.BatchCancelResult;
import dev.keel.queue.spi.BatchRef;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.NewBatch;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.ResolveRequest;
import dev.keel.queue.spi.ResolveResult;
import dev.keel.queue.spi.StoredBatch;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Batches and dependency edges. Every change of them, every enqueue of linked jobs and every
 * resolution runs under this table's one lock, so a batch cannot gain a member while it is being
 * completed and a blocked job is released or ended once. Job transitions elsewhere do not take it:
 * they only move members and dependencies towards their end, which a resolution reads under the
 * jobs' own monitors.
 */
final class LinkTable {
  private final InstantSource clock;
  private final JobStore store;
  private final WakeupHub wakeups;
  private final Object lock = new Object();

  /** Dependency id → blocked jobs waiting for it. Read without the lock by finishes. */
  private final Map<UUID, Set<UUID>> dependents = new ConcurrentHashMap<>();

  private final Map<UUID, Batch> batches = new HashMap<>();

  /**
   * Blocked job → the dependencies it still waits for (as resolved at enqueue). A dependency seen
   * SUCCEEDED is crossed off, so its success still counts after it is pruned.
   */
  private final Map<UUID, Set<UUID>> remaining = new HashMap<>();

  private static final class Batch {
    final NewBatch spec;
    final Instant createdAt;
    final Set<UUID> members = new LinkedHashSet<>();
    Instant completedAt;
    Instant cancelledAt;
    Map<JobState, Long> finalCounts;

    Batch(NewBatch spec, Instant createdAt) {
      this.spec = spec;
      this.createdAt = createdAt;
    }
  }

  LinkTable(InstantSource clock, JobStore store, WakeupHub wakeups) {
    this.clock = clock;
    this.store = store;
    this.wakeups = wakeups;
  }

  /**
   * The ended jobs whose end must be resolved: in a batch, or others wait for them. Under the lock,
   * so that a dependent enqueued meanwhile is either seen here or sees its dependency ended.
   */
  Set<UUID> needingResolution(List<JobRecord> ended) {
    Set<UUID> out = new HashSet<>();
    if (ended.isEmpty()) {
      return out;
    }
    synchronized (lock) {
      for (JobRecord r : ended) {
        if (r.links.batchId() != null || dependents.containsKey(r.id)) {
          out.add(r.id);
        }
      }
    }
    return out;
  }

  /**
   * Checks the request's links, runs {@code write} (the plain enqueue) and records batches and
   * edges of the jobs it created, all under the lock. Nothing is written when a check fails.
   */
  <T> T enqueue(
      EnqueueRequest request, Supplier<T> write, Set<UUID> created, Map<UUID, UUID> resolvedTo) {
    synchronized (lock) {
      Map<UUID, NewJob> inRequest = new HashMap<>();
      for (NewJob j : request.jobs()) {
        inRequest.put(j.id(), j);
      }
      Map<UUID, NewBatch> newBatches = new HashMap<>();
      for (NewBatch b : request.batches()) {
        newBatches.put(b.id(), b);
      }
      for (NewJob j : request.jobs()) {
        UUID batchId = j.links().batchId();
        if (batchId != null && !newBatches.containsKey(batchId)) {
          Batch b = batches.get(batchId);
          if (b == null || !b.spec.tenant().equals(j.tenant())) {
            throw new InvalidJobException(
                "batchId", "names no batch " + batchId + " in tenant " + j.tenant());
          }
          if (b.completedAt != null) {
            throw new InvalidJobException(
                "batchId", "names batch " + batchId + ", which is already complete");
          }
          if (b.cancelledAt != null) {
            throw new InvalidJobException(
                "batchId", "names batch " + batchId + ", which was cancelled");
          }
        }
        for (UUID dep : j.links().dependsOn()) {
          NewJob sibling = inRequest.get(dep);
          boolean exists =
              sibling != null
                  ? sibling.tenant().equals(j.tenant())
                  : store.get(new dev.keel.queue.spi.JobRef(j.tenant(), dep)).isPresent();
          if (!exists) {
            throw new InvalidJobException(
                "dependsOn", "names no job " + dep + " in tenant " + j.tenant());
          }
        }
      }
      T result = write.get();
      Instant now = clock.instant();
      // What the request makes decidable at once (QueueBackend.enqueue): dependencies that had
      // already ended, a batch left without members by idempotency.
      Resolution res = new Resolution(now);
      for (NewBatch b : request.batches()) {
        batches.put(b.id(), new Batch(b, now));
        res.batches.add(b.id());
      }
      for (NewJob j : request.jobs()) {
        if (!created.contains(j.id())) {
          continue;
        }
        if (j.links().batchId() != null) {
          batches.get(j.links().batchId()).members.add(j.id());
        }
        for (UUID dependency : j.links().dependsOn()) {
          UUID dep = resolvedTo.getOrDefault(dependency, dependency);
          dependents.computeIfAbsent(dep, k -> ConcurrentHashMap.newKeySet()).add(j.id());
          remaining.computeIfAbsent(j.id(), k -> new LinkedHashSet<>()).add(dep);
          if (!created.contains(dep)) {
            res.ended.add(dep);
          }
        }
      }
      res.run();
      return result;
    }
  }

  Optional<StoredBatch> find(BatchRef ref) {
    synchronized (lock) {
      Batch b = batches.get(ref.id());
      if (b == null || !b.spec.tenant().equals(ref.tenant())) {
        return Optional.empty();
      }
      return Optional.of(
          new StoredBatch(
              b.spec.id(),
              b.spec.tenant(),
              b.spec.maxRunning(),
              b.spec.onSuccessJob(),
              b.spec.onCompleteJob(),
              b.createdAt,
              b.completedAt,
              b.finalCounts != null ? b.finalCounts : counts(b),
              b.cancelledAt));
    }
  }

  /** Drops completed batches older than the longest job retention, at most the limit. */
  void prune(dev.keel.queue.spi.PruneRequest request) {
    java.time.Duration longest = request.succeededRetention();
    for (java.time.Duration d : List.of(request.failedRetention(), request.cancelledRetention())) {
      longest = d.compareTo(longest) > 0 ? d : longest;
    }
    Instant cutoff = clock.instant().minus(longest);
    synchronized (lock) {
      int n = 0;
      var it = batches.values().iterator();
      while (it.hasNext() && n < request.limit()) {
        Batch b = it.next();
        if (b.completedAt != null && b.completedAt.isBefore(cutoff)) {
          it.remove();
          n++;
        }
      }
    }
  }

  BatchCancelResult cancel(BatchRef ref) {
    synchronized (lock) {
      Batch b = batches.get(ref.id());
      if (b == null || !b.spec.tenant().equals(ref.tenant())) {
        return new BatchCancelResult(false, Set.of());
      }
      Set<UUID> cancelled = new HashSet<>();
      Instant now = clock.instant();
      if (b.cancelledAt == null) {
        b.cancelledAt = now;
      }
      for (UUID id : b.members) {
        JobRecord r = store.get(id);
        if (r == null) {
          continue;
        }
        synchronized (r) {
          if (r.state() == JobState.PENDING) {
            store.end(r, JobState.CANCELLED, now, JobError.of("batch " + ref.id() + " cancelled"));
            cancelled.add(id);
          }
        }
      }
      return new BatchCancelResult(true, cancelled);
    }
  }

  ResolveResult resolve(ResolveRequest request) {
    synchronized (lock) {
      Resolution res = new Resolution(clock.instant());
      res.ended.addAll(request.ended());
      res.batches.addAll(request.batches());
      if (request.sweep()) {
        int n = 0;
        for (UUID dep : dependents.keySet()) {
          JobRecord r = store.get(dep);
          if ((r == null || r.state().isTerminal()) && n++ < request.limit()) {
            res.ended.add(dep);
          }
        }
        n = 0;
        for (Batch b : batches.values()) {
          if (b.completedAt == null && n < request.limit() && !hasActiveMember(b)) {
            res.batches.add(b.spec.id());
            n++;
          }
        }
      }
      res.run();
      return new ResolveResult(res.released, res.cancelled, res.failed, res.completed);
    }
  }

  private final class Resolution {
    final Instant now;
    final ArrayDeque<UUID> ended = new ArrayDeque<>();
    final Set<UUID> batches = new LinkedHashSet<>();
    final Set<UUID> released = new HashSet<>();
    final Set<UUID> cancelled = new HashSet<>();
    final Set<UUID> failed = new HashSet<>();
    final Set<UUID> completed = new HashSet<>();
    final Set<String> wakeQueues = new HashSet<>();

    Resolution(Instant now) {
      this.now = now;
    }

    void run() {
      while (!ended.isEmpty() || !batches.isEmpty()) {
        while (!ended.isEmpty()) {
          UUID id = ended.poll();
          JobRecord r = store.get(id);
          if (r != null && !r.state().isTerminal()) {
            continue; // not ended (re-driven, or named by mistake): nothing to decide
          }
          if (r != null && r.links.batchId() != null) {
            batches.add(r.links.batchId());
          }
          Set<UUID> waiting = dependents.get(id);
          if (waiting != null) {
            for (UUID w : List.copyOf(waiting)) {
              decide(w);
            }
          }
        }
        for (UUID b : List.copyOf(batches)) {
          batches.remove(b);
          complete(b);
        }
      }
      wakeups.signal(wakeQueues);
    }

    /** A blocked job with dependencies: released, ended, or left waiting. */
    private void decide(UUID id) {
      JobRecord r = store.get(id);
      if (r == null) {
        dropEdges(id);
        return;
      }
      synchronized (r) {
        if (r.state() != JobState.PENDING || !r.blocked()) {
          dropEdges(id);
          return;
        }
        boolean allSucceeded = true;
        for (UUID dep : List.copyOf(remaining.getOrDefault(id, Set.of()))) {
          JobRecord d = store.get(dep);
          JobState s = d == null ? null : d.state();
          if (s == JobState.SUCCEEDED) {
            dropEdge(id, dep);
            continue;
          }
          if (s == null || s == JobState.FAILED || s == JobState.CANCELLED) {
            boolean fail = r.links.onDependencyFailure() == DependencyFailure.FAIL;
            String why =
                "dependency "
                    + dep
                    + (s == null ? " no longer exists" : " ended " + s)
                    + ", so this job will not run";
            store.end(r, fail ? JobState.FAILED : JobState.CANCELLED, now, JobError.of(why));
            (fail ? failed : cancelled).add(r.id);
            ended.add(r.id);
            dropEdges(id);
            return;
          }
          allSucceeded = false;
        }
        if (allSucceeded && store.release(r, now)) {
          released.add(r.id);
          wakeQueues.add(r.queue);
          dropEdges(id);
        }
      }
    }

    private void complete(UUID batchId) {
      Batch b = LinkTable.this.batches.get(batchId);
      if (b == null || b.completedAt != null || hasActiveMember(b)) {
        return;
      }
      Map<JobState, Long> counts = counts(b);
      b.completedAt = now;
      b.finalCounts = counts;
      completed.add(batchId);
      long notSucceeded =
          counts.getOrDefault(JobState.FAILED, 0L) + counts.getOrDefault(JobState.CANCELLED, 0L);
      callback(b.spec.onCompleteJob(), null);
      callback(
          b.spec.onSuccessJob(),
          notSucceeded == 0
              ? null
              : "batch "
                  + batchId
                  + " did not fully succeed: "
                  + counts.getOrDefault(JobState.FAILED, 0L)
                  + " FAILED, "
                  + counts.getOrDefault(JobState.CANCELLED, 0L)
                  + " CANCELLED");
    }

    /** Releases a callback, or cancels it with {@code cancelReason}. */
    private void callback(UUID id, String cancelReason) {
      JobRecord r = id == null ? null : store.get(id);
      if (r == null) {
        return;
      }
      synchronized (r) {
        if (r.state() != JobState.PENDING || !r.blocked()) {
          return;
        }
        if (cancelReason == null) {
          store.release(r, now);
          released.add(id);
          wakeQueues.add(r.queue);
        } else {
          store.end(r, JobState.CANCELLED, now, JobError.of(cancelReason));
          cancelled.add(id);
          ended.add(id);
        }
      }
    }
  }

  private void dropEdge(UUID id, UUID dep) {
    dependents.computeIfPresent(
        dep,
        (k, set) -> {
          set.remove(id);
          return set.isEmpty() ? null : set;
        });
    Set<UUID> left = remaining.get(id);
    if (left != null) {
      left.remove(dep);
    }
  }

  private void dropEdges(UUID id) {
    Set<UUID> left = remaining.remove(id);
    if (left != null) {
      for (UUID dep : left) {
        dependents.computeIfPresent(
            dep,
            (k, set) -> {
              set.remove(id);
              return set.isEmpty() ? null : set;
            });
      }
    }
  }

  private boolean hasActiveMember(Batch b) {
    for (UUID id : b.members) {
      JobRecord r = store.get(id);
      if (r != null && r.state().isActive()) {
        return true;
      }
    }
    return false;
  }

  private Map<JobState, Long> counts(Batch b) {
    Map<JobState, Long> counts = new EnumMap<>(JobState.class);
    for (UUID id : b.members) {
      JobRecord r = store.get(id);
      if (r != null) {
        counts.merge(r.state(), 1L, Long::sum);
      }
    }
    return counts;
  }
}
