package dev.keel.queue.internal;

import dev.keel.queue.recurring.MisfirePolicy;
import dev.keel.queue.recurring.Schedule;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.ScheduleFire;
import dev.keel.queue.spi.StoredSchedule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans one fire of a due schedule: which fire times get a job, and the next fire time after them.
 * Pure (apart from job ids); the backend applies the plan atomically or refuses it as stale.
 *
 * <p>The fire times from the stored {@code nextFireAt} up to the backend's now are split at {@code
 * now − misfireWindow}: the later ones are on time and each gets a job; the earlier ones were
 * missed (no scheduler ran) and follow the misfire policy. Long outages cost O(cap), not O(missed):
 * missed times are found backwards from the cut-off.
 */
final class FirePlanner {
  /** On-time fire times one fire creates at most; the rest fire on the next pass, right after. */
  static final int MAX_ON_TIME = 1_000;

  /** The next fire time of a trigger that never fires again: far beyond any real schedule. */
  static final Instant NEVER = Instant.parse("2200-01-01T00:00:00Z");

  private static final long MICRO = 1_000;

  private FirePlanner() {}

  static ScheduleFire plan(ScheduleSpec spec, StoredSchedule stored, Instant now, JobIds ids) {
    FireTimes times = FireTimes.of(spec.trigger());
    Instant first = stored.nextFireAt();
    Instant cutoff = now.minus(spec.misfireWindow());
    List<Instant> fires = new ArrayList<>();
    Instant onTime = first;
    if (first.isBefore(cutoff)) {
      Instant latestMissed = times.latestAtOrBefore(cutoff.minusNanos(MICRO));
      if (latestMissed == null || latestMissed.isBefore(first)) {
        latestMissed = first;
      }
      fires.addAll(missed(spec.misfire(), times, first, latestMissed));
      onTime = times.nextAfter(cutoff.minusNanos(MICRO));
    }
    Instant next = onTime;
    int planned = 0;
    while (next != null && !next.isAfter(now) && planned < MAX_ON_TIME) {
      fires.add(next);
      planned++;
      next = times.nextAfter(next);
    }
    if (next == null) {
      next = NEVER;
    }
    List<NewJob> jobs = new ArrayList<>(fires.size());
    for (Instant fireTime : fires) {
      jobs.add(job(spec, ids, fireTime));
    }
    return new ScheduleFire(
        stored.name(),
        stored.version(),
        first,
        jobs,
        next,
        fires.isEmpty() ? null : fires.get(fires.size() - 1),
        spec.overlap());
  }

  /** The missed fire times in {@code [first, latestMissed]} that get a job, oldest first. */
  private static List<Instant> missed(
      MisfirePolicy policy, FireTimes times, Instant first, Instant latestMissed) {
    if (policy instanceof MisfirePolicy.Skip) {
      return List.of();
    }
    if (policy instanceof MisfirePolicy.FireOnce) {
      return List.of(latestMissed);
    }
    int cap = ((MisfirePolicy.FireAll) policy).cap();
    List<Instant> out = new ArrayList<>();
    Instant t = latestMissed;
    while (t != null && !t.isBefore(first) && out.size() < cap) {
      out.add(t);
      t = times.latestAtOrBefore(t.minusNanos(MICRO));
    }
    Collections.reverse(out);
    return out;
  }

  /** The job of one fire time: the template, due at the fire time, tagged with its schedule. */
  static NewJob job(ScheduleSpec spec, JobIds ids, Instant fireTime) {
    Map<String, String> metadata = new HashMap<>(spec.job().metadata());
    metadata.put(Schedule.SCHEDULE_KEY, spec.name());
    if (fireTime != null) {
      metadata.put(Schedule.FIRE_TIME_KEY, fireTime.toString());
    } else {
      metadata.put(Schedule.TRIGGER_KEY, "manual");
    }
    ScheduleSpec.JobTemplate t = spec.job();
    return new NewJob(
        ids.next(),
        t.type(),
        t.queue(),
        t.tenant(),
        t.payload(),
        t.priority(),
        t.maxAttempts(),
        fireTime,
        null,
        t.timeout(),
        null,
        null,
        null,
        metadata,
        t.concurrencyKey(),
        t.concurrencyLimit(),
        dev.keel.queue.JobLinks.NONE); // schedules refuse templates with links
  }
}
