package dev.keel.queue.inline;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.JobState;
import dev.keel.queue.recurring.OverlapPolicy;
import dev.keel.queue.spi.DueSchedules;
import dev.keel.queue.spi.DueSchedulesRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.ScheduleChangeResult;
import dev.keel.queue.spi.ScheduleFire;
import dev.keel.queue.spi.ScheduleFireOutcome;
import dev.keel.queue.spi.ScheduleFireRequest;
import dev.keel.queue.spi.ScheduleFireResult;
import dev.keel.queue.spi.ScheduleListRequest;
import dev.keel.queue.spi.SchedulePage;
import dev.keel.queue.spi.SchedulePauseRequest;
import dev.keel.queue.spi.ScheduleRef;
import dev.keel.queue.spi.ScheduleUpsert;
import dev.keel.queue.spi.ScheduleUpsertRequest;
import dev.keel.queue.spi.ScheduleUpsertResult;
import dev.keel.queue.spi.StoredSchedule;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Recurring schedules in memory. One monitor guards them all: a fire checks the schedule, inserts
 * its jobs and moves it on without any other schedule call in between, which is the atomicity the
 * SPI asks for. A sorted set of (next fire time, name) over the unpaused schedules answers "what is
 * due" in O(due + log n).
 */
final class ScheduleStore {
  private record DueKey(Instant at, String name) implements Comparable<DueKey> {
    @Override
    public int compareTo(DueKey o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : name.compareTo(o.name);
    }
  }

  /** A stored schedule without the last job's state, which is looked up when read. */
  private record Row(
      String name,
      String spec,
      String trigger,
      long version,
      boolean paused,
      Instant nextFireAt,
      Instant lastFireAt,
      UUID lastJobId,
      String lastJobTenant,
      Instant updatedAt) {}

  private final InstantSource clock;
  private final JobStore jobs;
  private final Enqueuer enqueuer;
  private final TreeMap<String, Row> rows = new TreeMap<>();
  private final NavigableSet<DueKey> due = new TreeSet<>();

  ScheduleStore(InstantSource clock, JobStore jobs, Enqueuer enqueuer) {
    this.clock = clock;
    this.jobs = jobs;
    this.enqueuer = enqueuer;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private void put(Row row) {
    Row old = rows.put(row.name(), row);
    if (old != null && !old.paused()) {
      due.remove(new DueKey(old.nextFireAt(), old.name()));
    }
    if (!row.paused()) {
      due.add(new DueKey(row.nextFireAt(), row.name()));
    }
  }

  private void delete(String name) {
    Row old = rows.remove(name);
    if (old != null && !old.paused()) {
      due.remove(new DueKey(old.nextFireAt(), old.name()));
    }
  }

  synchronized ScheduleUpsertResult upsert(ScheduleUpsertRequest request) {
    Set<String> names = new HashSet<>();
    for (ScheduleUpsert u : request.schedules()) {
      if (!names.add(u.name())) {
        throw new IllegalArgumentException(
            "schedule '" + u.name() + "' appears twice in one upsert");
      }
    }
    Instant now = now();
    List<String> created = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (ScheduleUpsert u : request.schedules()) {
      Row old = rows.get(u.name());
      if (old == null) {
        put(
            new Row(
                u.name(), u.spec(), u.trigger(), 1, false, u.nextFireAt(), null, null, null, now));
        created.add(u.name());
      } else if (old.spec().equals(u.spec())) {
        unchanged.add(u.name());
      } else {
        Instant next = old.trigger().equals(u.trigger()) ? old.nextFireAt() : u.nextFireAt();
        put(
            new Row(
                u.name(),
                u.spec(),
                u.trigger(),
                old.version() + 1,
                old.paused(),
                next,
                old.lastFireAt(),
                old.lastJobId(),
                old.lastJobTenant(),
                now));
        updated.add(u.name());
      }
    }
    if (request.removeOthers()) {
      for (Iterator<String> it = new ArrayList<>(rows.keySet()).iterator(); it.hasNext(); ) {
        String name = it.next();
        if (!names.contains(name)) {
          delete(name);
          removed.add(name);
        }
      }
    }
    return new ScheduleUpsertResult(created, updated, unchanged, removed);
  }

  synchronized ScheduleChangeResult remove(ScheduleRef ref) {
    if (!rows.containsKey(ref.name())) {
      return ScheduleChangeResult.notFound();
    }
    delete(ref.name());
    return new ScheduleChangeResult(true, true, Optional.empty());
  }

  synchronized ScheduleChangeResult pause(SchedulePauseRequest request) {
    Row old = rows.get(request.name());
    if (old == null) {
      return ScheduleChangeResult.notFound();
    }
    if (old.paused() == request.paused()) {
      return new ScheduleChangeResult(true, false, Optional.of(stored(old)));
    }
    Row row =
        new Row(
            old.name(),
            old.spec(),
            old.trigger(),
            old.version(),
            request.paused(),
            request.paused() ? old.nextFireAt() : request.nextFireAtOnResume(),
            old.lastFireAt(),
            old.lastJobId(),
            old.lastJobTenant(),
            now());
    put(row);
    return new ScheduleChangeResult(true, true, Optional.of(stored(row)));
  }

  synchronized Optional<StoredSchedule> find(ScheduleRef ref) {
    return Optional.ofNullable(rows.get(ref.name())).map(this::stored);
  }

  synchronized SchedulePage list(ScheduleListRequest request) {
    Map<String, Row> tail =
        request.afterName() == null ? rows : rows.tailMap(request.afterName(), false);
    List<StoredSchedule> page = new ArrayList<>(Math.min(request.limit(), tail.size()));
    String nextAfter = null;
    for (Row row : tail.values()) {
      if (page.size() == request.limit()) {
        nextAfter = page.get(page.size() - 1).name();
        break;
      }
      page.add(stored(row));
    }
    return new SchedulePage(page, nextAfter);
  }

  synchronized DueSchedules due(DueSchedulesRequest request) {
    Instant now = now();
    List<StoredSchedule> out = new ArrayList<>();
    Instant next = null;
    for (DueKey key : due) {
      if (key.at().isAfter(now)) {
        next = key.at();
        break;
      }
      if (out.size() == request.limit()) {
        break;
      }
      out.add(stored(rows.get(key.name())));
    }
    if (next == null && out.size() == request.limit()) {
      DueKey after = due.higher(new DueKey(now, "\uffff"));
      next = after == null ? null : after.at();
    }
    return new DueSchedules(now, out, next);
  }

  synchronized ScheduleFireResult fire(ScheduleFireRequest request) {
    List<ScheduleFireOutcome> outcomes = new ArrayList<>(request.fires().size());
    for (ScheduleFire fire : request.fires()) {
      outcomes.add(fireOne(fire));
    }
    return new ScheduleFireResult(outcomes);
  }

  private ScheduleFireOutcome fireOne(ScheduleFire fire) {
    Row row = rows.get(fire.name());
    if (row == null
        || row.paused()
        || row.version() != fire.expectedVersion()
        || !row.nextFireAt().equals(fire.expectedNextFireAt())) {
      return new ScheduleFireOutcome(fire.name(), ScheduleFireOutcome.Kind.STALE, List.of());
    }
    if (!fire.jobs().isEmpty() && fire.overlap() != OverlapPolicy.ALLOW && lastJobActive(row)) {
      if (fire.overlap() == OverlapPolicy.WAIT) {
        return new ScheduleFireOutcome(
            fire.name(), ScheduleFireOutcome.Kind.WAITING_OVERLAP, List.of());
      }
      put(withNext(row, fire.nextFireAt(), row.lastFireAt(), row.lastJobId(), row.lastJobTenant()));
      return new ScheduleFireOutcome(
          fire.name(), ScheduleFireOutcome.Kind.SKIPPED_OVERLAP, List.of());
    }
    List<EnqueueResult> results = List.of();
    Row moved;
    if (fire.jobs().isEmpty()) {
      moved =
          withNext(row, fire.nextFireAt(), row.lastFireAt(), row.lastJobId(), row.lastJobTenant());
    } else {
      results = enqueuer.enqueue(new EnqueueRequest(fire.jobs())).results();
      NewJob last = fire.jobs().get(fire.jobs().size() - 1);
      moved = withNext(row, fire.nextFireAt(), fire.lastFireAt(), last.id(), last.tenant());
    }
    put(moved);
    return new ScheduleFireOutcome(fire.name(), ScheduleFireOutcome.Kind.FIRED, results);
  }

  private static Row withNext(
      Row row, Instant next, Instant lastFireAt, UUID lastJobId, String lastJobTenant) {
    return new Row(
        row.name(),
        row.spec(),
        row.trigger(),
        row.version(),
        row.paused(),
        next,
        lastFireAt,
        lastJobId,
        lastJobTenant,
        row.updatedAt());
  }

  private boolean lastJobActive(Row row) {
    JobState state = lastJobState(row);
    return state != null && state.isActive();
  }

  private JobState lastJobState(Row row) {
    if (row.lastJobId() == null) {
      return null;
    }
    JobRecord job = jobs.get(row.lastJobId());
    return job == null ? null : job.state();
  }

  private StoredSchedule stored(Row row) {
    return new StoredSchedule(
        row.name(),
        row.spec(),
        row.trigger(),
        row.version(),
        row.paused(),
        row.nextFireAt(),
        row.lastFireAt(),
        row.lastJobId(),
        row.lastJobTenant(),
        lastJobState(row),
        row.updatedAt());
  }
}
