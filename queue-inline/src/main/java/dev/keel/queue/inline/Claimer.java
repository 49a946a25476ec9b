package dev.keel.queue.inline;

import dev.keel.queue.Job;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.ClaimResponse;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Claims due jobs in (priority, runAt, id) order across the requested queues. Each queue offers its
 * first matching due keys; the merged candidates are claimed one by one under each job's own lock,
 * so concurrent claims never hand out one job twice. A candidate lost to another claimer is simply
 * skipped, and the scan repeats until the limit is met or nothing due is left. A job whose
 * concurrency key is full stays PENDING and its key is passed over for the rest of the claim, so
 * jobs behind it are still claimed.
 */
final class Claimer {
  private static final Comparator<Job> CLAIM_ORDER =
      Comparator.comparingInt(Job::priority).thenComparing(Job::runAt).thenComparing(Job::id);

  private final InstantSource clock;
  private final JobStore store;

  Claimer(InstantSource clock, JobStore store) {
    this.clock = clock;
    this.store = store;
  }

  ClaimResponse claim(ClaimRequest request) {
    Instant now = clock.instant();
    Set<String> fullKeys = new HashSet<>();
    Predicate<PendingKey> matches =
        key -> {
          JobRecord r = store.get(key.id());
          return r != null
              && request.matches(r.type, r.queue, r.tenant)
              && (r.concurrencyKey == null || !fullKeys.contains(r.concurrencyKey));
        };
    List<Job> claimed = new ArrayList<>();
    while (claimed.size() < request.limit()) {
      int wanted = request.limit() - claimed.size();
      List<PendingKey> candidates = new ArrayList<>();
      for (String queue : store.pendingQueues(request.queues())) {
        candidates.addAll(store.dueKeys(queue, now, matches, wanted));
      }
      if (candidates.isEmpty()) {
        break;
      }
      candidates.sort(Comparator.naturalOrder());
      for (PendingKey key : candidates.subList(0, Math.min(wanted, candidates.size()))) {
        JobRecord r = store.get(key.id());
        Job job =
            r == null
                ? null
                : store.claim(
                    r,
                    key,
                    request.workerId(),
                    UUID.randomUUID().toString(),
                    now,
                    request.leaseDuration(),
                    fullKeys);
        if (job != null) {
          claimed.add(job);
        }
      }
    }
    claimed.sort(CLAIM_ORDER);
    return new ClaimResponse(claimed);
  }
}
