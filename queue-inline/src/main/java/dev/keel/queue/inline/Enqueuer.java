package dev.keel.queue.inline;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.IdempotencyConflictException;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.EnqueueResponse;
import dev.keel.queue.spi.NewJob;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Inserts batches all-or-nothing. A batch is first planned (each job resolved to a new record or to
 * the job that holds its idempotency key) and only written when the whole plan stands, so a
 * conflict anywhere leaves nothing behind.
 */
final class Enqueuer {
  private final InstantSource clock;
  private final JobStore store;
  private final IdempotencyIndex idempotency;
  private final WakeupHub wakeups;

  private LinkTable links;

  Enqueuer(InstantSource clock, JobStore store, IdempotencyIndex idempotency, WakeupHub wakeups) {
    this.clock = clock;
    this.store = store;
    this.idempotency = idempotency;
    this.wakeups = wakeups;
  }

  void links(LinkTable table) {
    this.links = table;
  }

  /** One job's outcome in the plan: the record it names, whether it is new, its state. */
  private record Planned(JobRecord record, boolean created, JobState state) {}

  EnqueueResponse enqueue(EnqueueRequest request) {
    Set<IdempotencyIndex.Key> keys = new LinkedHashSet<>();
    for (NewJob job : request.jobs()) {
      if (job.idempotencyKey() != null) {
        keys.add(new IdempotencyIndex.Key(job.tenant(), job.idempotencyKey()));
      }
    }
    List<Planned> plan;
    if (request.hasLinks()) {
      Set<UUID> created = new HashSet<>();
      Map<UUID, UUID> resolvedTo = new HashMap<>();
      plan =
          links.enqueue(
              request,
              () -> {
                List<Planned> p = idempotency.withLocks(keys, () -> planAndWrite(request.jobs()));
                for (int i = 0; i < p.size(); i++) {
                  UUID asked = request.jobs().get(i).id();
                  if (p.get(i).created()) {
                    created.add(asked);
                  } else {
                    resolvedTo.put(asked, p.get(i).record().id);
                  }
                }
                return p;
              },
              created,
              resolvedTo);
    } else {
      plan = idempotency.withLocks(keys, () -> planAndWrite(request.jobs()));
    }

    List<EnqueueResult> results = new ArrayList<>(plan.size());
    Set<String> queuesWithNewJobs = new LinkedHashSet<>();
    for (Planned p : plan) {
      results.add(new EnqueueResult(p.record().id, p.created(), p.state()));
      if (p.created()) {
        queuesWithNewJobs.add(p.record().queue);
      }
    }
    wakeups.signal(queuesWithNewJobs);
    return new EnqueueResponse(results);
  }

  private List<Planned> planAndWrite(List<NewJob> jobs) {
    Instant now = clock.instant();
    List<Planned> plan = new ArrayList<>(jobs.size());
    // Keys taken earlier in this batch: the batch behaves like sequential enqueues.
    Map<IdempotencyIndex.Key, JobRecord> takenInBatch = new HashMap<>();
    Set<UUID> idsInBatch = new HashSet<>();
    for (NewJob job : jobs) {
      if (!idsInBatch.add(job.id()) || store.contains(job.id())) {
        throw new dev.keel.queue.InvalidJobException(
            "id",
            "is already the id of a stored job: an id chosen with JobRequest.withId must be new"
                + " (nothing of the request was written)");
      }
      if (job.idempotencyKey() == null) {
        plan.add(new Planned(JobRecord.create(job, now), true, JobState.PENDING));
        continue;
      }
      IdempotencyIndex.Key key = new IdempotencyIndex.Key(job.tenant(), job.idempotencyKey());
      Planned existing = holderOf(key, takenInBatch, now);
      if (existing == null) {
        JobRecord record = JobRecord.create(job, now);
        takenInBatch.put(key, record);
        plan.add(new Planned(record, true, JobState.PENDING));
      } else if (existing.record().payload.equals(job.payload())) {
        plan.add(existing);
      } else {
        throw new IdempotencyConflictException(
            job.tenant(), job.idempotencyKey(), existing.record().id);
      }
    }
    for (Planned p : plan) {
      if (p.created()) {
        store.insert(p.record());
        if (p.record().idempotencyKey != null) {
          idempotency.take(
              new IdempotencyIndex.Key(p.record().tenant, p.record().idempotencyKey),
              p.record().id);
        }
      }
    }
    return plan;
  }

  /** The job holding {@code key} at {@code now}, as a not-created plan entry, or null if free. */
  private Planned holderOf(
      IdempotencyIndex.Key key, Map<IdempotencyIndex.Key, JobRecord> takenInBatch, Instant now) {
    JobRecord inBatch = takenInBatch.get(key);
    if (inBatch != null) {
      return new Planned(inBatch, false, JobState.PENDING);
    }
    UUID holderId = idempotency.lastHolder(key);
    JobRecord holder = holderId == null ? null : store.get(holderId);
    if (holder == null || !holder.holdsKeyAt(now)) {
      return null;
    }
    return new Planned(holder, false, holder.state());
  }
}
