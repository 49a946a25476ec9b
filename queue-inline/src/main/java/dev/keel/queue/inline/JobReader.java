package dev.keel.queue.inline;

import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.StatsRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads: find, list and stats. Stats walk the jobs in memory rather than keeping counters: the
 * inline backend holds what one process enqueued, and a walk cannot drift from the truth.
 */
final class JobReader {
  private final InstantSource clock;
  private final JobStore store;

  JobReader(InstantSource clock, JobStore store) {
    this.clock = clock;
    this.store = store;
  }

  Optional<Job> find(JobRef ref) {
    return store.get(ref).map(JobRecord::snapshot);
  }

  JobPage list(JobQuery query) {
    List<Job> page = new ArrayList<>();
    for (JobRecord r : store.from(query.after())) {
      if (page.size() >= query.limit()) {
        break;
      }
      if (!r.tenant.equals(query.tenant())) {
        continue;
      }
      Job job = r.snapshot();
      if (query.matches(job)) {
        page.add(job);
      }
    }
    return JobPage.of(page, query.limit());
  }

  BackendStats stats(StatsRequest request) {
    Instant now = clock.instant();
    Instant windowStart = now.minus(request.failedWindow());
    Map<JobState, Long> byState = new EnumMap<>(JobState.class);
    Map<String, Map<JobState, Long>> byType = new HashMap<>();
    Map<String, Map<JobState, Long>> byQueue = new HashMap<>();
    Map<String, Map<JobState, Long>> finishedByType = new HashMap<>();
    long stuck = 0;
    long failedInWindow = 0;
    Instant oldestDue = null;
    for (JobRecord r : store.from(null)) {
      if (request.tenant() != null && !r.tenant.equals(request.tenant())) {
        continue;
      }
      Job job = r.snapshot();
      byState.merge(job.state(), 1L, Long::sum);
      increment(byType, job.type(), job.state());
      increment(byQueue, job.queue(), job.state());
      if (job.state() == JobState.RUNNING && !job.leaseExpiresAt().isAfter(now)) {
        stuck++;
      }
      // A re-driven job is active again with finishedAt cleared: only its latest finish counts.
      if (job.state().isTerminal() && job.finishedAt().isAfter(windowStart)) {
        increment(finishedByType, job.type(), job.state());
        if (job.state() == JobState.FAILED) {
          failedInWindow++;
        }
      }
      if (job.state() == JobState.PENDING
          && !job.links().blocked() // waiting to be released: not due, whatever its runAt
          && !job.runAt().isAfter(now)
          && (oldestDue == null || job.runAt().isBefore(oldestDue))) {
        oldestDue = job.runAt();
      }
    }
    Optional<Duration> oldestDueAge =
        oldestDue == null ? Optional.empty() : Optional.of(Duration.between(oldestDue, now));
    return new BackendStats(
        now, byState, byType, stuck, failedInWindow, oldestDueAge, byQueue, finishedByType);
  }

  private static void increment(Map<String, Map<JobState, Long>> counts, String key, JobState s) {
    counts.computeIfAbsent(key, k -> new EnumMap<>(JobState.class)).merge(s, 1L, Long::sum);
  }
}
