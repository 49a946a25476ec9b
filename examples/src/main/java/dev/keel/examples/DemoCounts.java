package dev.keel.examples;

import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import java.util.EnumMap;
import java.util.Map;

/** Counts one tenant's jobs by state, page by page through the client's list API. */
final class DemoCounts {
  private DemoCounts() {}

  static Map<JobState, Long> of(Keel keel, String tenant) {
    Map<JobState, Long> counts = new EnumMap<>(JobState.class);
    JobQuery q = JobQuery.tenant(tenant).withLimit(JobQuery.MAX_LIMIT);
    while (true) {
      JobPage page = keel.client().list(q);
      for (Job j : page.jobs()) {
        counts.merge(j.state(), 1L, Long::sum);
      }
      if (page.next().isEmpty()) {
        return counts;
      }
      q = q.withAfter(page.next().get());
    }
  }
}
