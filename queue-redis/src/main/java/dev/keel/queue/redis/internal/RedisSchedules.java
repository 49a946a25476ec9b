package dev.keel.queue.redis.internal;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.DueSchedules;
import dev.keel.queue.spi.DueSchedulesRequest;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The recurring-schedule calls on Redis: one script per call (schedule_*.lua), so each is atomic; a
 * fire checks, inserts its jobs (through the same Lua code as enqueue) and moves the schedule on
 * without anything in between. Key layout in KEYS.md.
 */
public final class RedisSchedules {
  private final LuaScripts scripts;

  public RedisSchedules(LuaScripts scripts) {
    this.scripts = scripts;
  }

  @SuppressWarnings("unchecked")
  public ScheduleUpsertResult upsert(ScheduleUpsertRequest request) {
    Set<String> names = new HashSet<>();
    List<String> args = new ArrayList<>(2 + request.schedules().size() * 4);
    args.add(request.removeOthers() ? "1" : "0");
    args.add(Integer.toString(request.schedules().size()));
    for (ScheduleUpsert u : request.schedules()) {
      if (!names.add(u.name())) {
        throw new IllegalArgumentException(
            "schedule '" + u.name() + "' appears twice in one upsert");
      }
      args.add(u.name());
      args.add(u.spec());
      args.add(u.trigger());
      args.add(Long.toString(Micros.of(u.nextFireAt())));
    }
    List<Object> reply = (List<Object>) scripts.run("schedule_upsert", args);
    return new ScheduleUpsertResult(
        strings(reply.get(0)), strings(reply.get(1)), strings(reply.get(2)), strings(reply.get(3)));
  }

  public ScheduleChangeResult remove(ScheduleRef ref) {
    long existed = (Long) scripts.run("schedule_remove", List.of(ref.name()));
    return existed > 0
        ? new ScheduleChangeResult(true, true, Optional.empty())
        : ScheduleChangeResult.notFound();
  }

  public ScheduleChangeResult pause(SchedulePauseRequest request) {
    List<?> reply =
        (List<?>)
            scripts.run(
                "schedule_pause",
                List.of(
                    request.name(),
                    request.paused() ? "1" : "0",
                    request.paused()
                        ? ""
                        : Long.toString(Micros.of(request.nextFireAtOnResume()))));
    if (reply.isEmpty()) {
      return ScheduleChangeResult.notFound();
    }
    return new ScheduleChangeResult(
        true, ((Long) reply.get(0)) == 1, Optional.of(record(reply.get(1))));
  }

  public Optional<StoredSchedule> find(ScheduleRef ref) {
    List<?> reply = (List<?>) scripts.run("schedule_read", List.of("find", ref.name()));
    return reply.isEmpty() ? Optional.empty() : Optional.of(record(reply.get(0)));
  }

  public SchedulePage list(ScheduleListRequest request) {
    List<?> reply =
        (List<?>)
            scripts.run(
                "schedule_read",
                List.of(
                    "list",
                    request.afterName() == null ? "" : request.afterName(),
                    Integer.toString(request.limit())));
    List<StoredSchedule> page = new ArrayList<>(reply.size() - 1);
    for (int i = 1; i < reply.size(); i++) {
      page.add(record(reply.get(i)));
    }
    boolean more = ((Long) reply.get(0)) == 1;
    return new SchedulePage(page, more ? page.get(page.size() - 1).name() : null);
  }

  public DueSchedules due(DueSchedulesRequest request) {
    List<?> reply =
        (List<?>) scripts.run("schedule_due", List.of(Integer.toString(request.limit())));
    Instant now = Micros.toInstant((String) reply.get(0));
    String next = (String) reply.get(1);
    List<StoredSchedule> due = new ArrayList<>(reply.size() - 2);
    for (int i = 2; i < reply.size(); i++) {
      due.add(record(reply.get(i)));
    }
    return new DueSchedules(now, due, next.isEmpty() ? null : Micros.toInstant(next));
  }

  public ScheduleFireResult fire(ScheduleFireRequest request) {
    List<ScheduleFire> fires = request.fires();
    List<NewJob> jobs = new ArrayList<>();
    List<String> args = new ArrayList<>();
    args.add(Integer.toString(fires.size()));
    for (ScheduleFire f : fires) {
      args.add(f.name());
      args.add(Long.toString(f.expectedVersion()));
      args.add(Long.toString(Micros.of(f.expectedNextFireAt())));
      args.add(Long.toString(Micros.of(f.nextFireAt())));
      args.add(f.lastFireAt() == null ? "" : Long.toString(Micros.of(f.lastFireAt())));
      args.add(f.overlap().name());
      args.add(Integer.toString(f.jobs().size()));
      jobs.addAll(f.jobs());
    }
    if (jobs.isEmpty()) {
      args.add("0");
      args.add("0");
    } else {
      args.addAll(JobHashes.enqueueArgs(jobs));
    }
    List<?> reply = (List<?>) scripts.run("schedule_fire", args);
    List<ScheduleFireOutcome> outcomes = new ArrayList<>(fires.size());
    for (int i = 0; i < fires.size(); i++) {
      ScheduleFire f = fires.get(i);
      ScheduleFireOutcome.Kind kind = ScheduleFireOutcome.Kind.valueOf((String) reply.get(i));
      List<EnqueueResult> results = new ArrayList<>();
      if (kind == ScheduleFireOutcome.Kind.FIRED) {
        for (NewJob job : f.jobs()) {
          results.add(new EnqueueResult(job.id(), true, JobState.PENDING));
        }
      }
      outcomes.add(new ScheduleFireOutcome(f.name(), kind, results));
    }
    return new ScheduleFireResult(outcomes);
  }

  /** A schedule_record() reply: name, spec, trigger, version, paused, next, lastFire, lastJob, … */
  private static StoredSchedule record(Object reply) {
    List<?> r = (List<?>) reply;
    String lastJob = (String) r.get(7);
    String state = (String) r.get(10);
    return new StoredSchedule(
        (String) r.get(0),
        (String) r.get(1),
        (String) r.get(2),
        Long.parseLong((String) r.get(3)),
        "1".equals(r.get(4)),
        Micros.toInstant((String) r.get(5)),
        optionalTime((String) r.get(6)),
        lastJob.isEmpty() ? null : UUID.fromString(lastJob),
        emptyToNull((String) r.get(8)),
        state.isEmpty() ? null : JobState.valueOf(state),
        Micros.toInstant((String) r.get(9)));
  }

  private static Instant optionalTime(String micros) {
    return micros.isEmpty() ? null : Micros.toInstant(micros);
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static List<String> strings(Object reply) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<?>) reply) {
      out.add((String) o);
    }
    return out;
  }
}
