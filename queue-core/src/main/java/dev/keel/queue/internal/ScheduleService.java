package dev.keel.queue.internal;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.InvalidInputException;
import dev.keel.queue.JobEvent;
import dev.keel.queue.Limits;
import dev.keel.queue.recurring.FireReport;
import dev.keel.queue.recurring.InvalidScheduleException;
import dev.keel.queue.recurring.NoSuchScheduleException;
import dev.keel.queue.recurring.Schedule;
import dev.keel.queue.recurring.ScheduleInfo;
import dev.keel.queue.recurring.ScheduleInfoPage;
import dev.keel.queue.recurring.Schedules;
import dev.keel.queue.spi.DueSchedules;
import dev.keel.queue.spi.DueSchedulesRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.QueueBackend;
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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recurring schedules on top of the backend's schedule calls: turns declarations into stored specs,
 * plans fires from the stored specs with {@link FirePlanner}, and hands them to the backend, which
 * applies each one atomically or refuses it as stale. Nothing here trusts a leader: any number of
 * nodes may fire the same schedules at once.
 */
public final class ScheduleService implements Schedules {
  private static final Logger log = LoggerFactory.getLogger(ScheduleService.class);

  /** Due schedules read and fired per round trip. */
  static final int BATCH = 500;

  /** Metadata keys Keel adds to a schedule's jobs. */
  private static final int KEEL_METADATA_KEYS = 2;

  private final QueueBackend backend;
  private final JobPreparer preparer;
  private final JobIds ids;
  private final Listeners listeners;
  private final Map<String, ScheduleSpec> declared;
  private final boolean pruneUndeclared;
  private final Set<String> reportedUnreadable = ConcurrentHashMap.newKeySet();
  private volatile boolean synced;
  private volatile Runnable onChange = () -> {};

  /**
   * @throws InvalidScheduleException a declared schedule's job breaks a job rule
   */
  public ScheduleService(
      QueueBackend backend,
      JobPreparer preparer,
      JobIds ids,
      Listeners listeners,
      Collection<Schedule> declared,
      boolean pruneUndeclared) {
    this.backend = backend;
    this.preparer = preparer;
    this.ids = ids;
    this.listeners = listeners;
    Map<String, ScheduleSpec> specs = new LinkedHashMap<>();
    for (Schedule s : declared) {
      specs.put(s.name(), spec(s));
    }
    this.declared = specs;
    this.pruneUndeclared = pruneUndeclared;
  }

  /** Called after a change that may bring the next fire time forward (the scheduler wakes up). */
  void onChange(Runnable hook) {
    this.onChange = hook;
  }

  /** Whether this Keel declared schedules or asked to prune: it then writes them on first use. */
  public boolean hasDeclarations() {
    return !declared.isEmpty() || pruneUndeclared;
  }

  /** The declaration checked against the job rules, as it will be stored. */
  ScheduleSpec spec(Schedule s) {
    NewJob template;
    try {
      template = preparer.prepareUntraced(s.job());
    } catch (InvalidInputException e) {
      throw new InvalidScheduleException("job." + e.field(), e.rule());
    }
    int maxMetadata = Limits.MAX_METADATA_ENTRIES - KEEL_METADATA_KEYS;
    if (template.metadata().size() > maxMetadata) {
      throw new InvalidScheduleException(
          "job.metadata",
          "must have at most "
              + maxMetadata
              + " entries on a schedule (Keel adds "
              + KEEL_METADATA_KEYS
              + ")");
    }
    return new ScheduleSpec(
        s.name(),
        s.trigger(),
        new ScheduleSpec.JobTemplate(
            template.type(),
            template.queue(),
            template.tenant(),
            template.payload(),
            template.priority(),
            template.maxAttempts(),
            template.timeout(),
            template.metadata(),
            template.concurrencyKey(),
            template.concurrencyLimit()),
        s.misfire(),
        s.misfireWindow(),
        s.overlap());
  }

  /**
   * Writes the declared schedules (once per Keel; again after a failure), pruning the undeclared
   * ones when asked.
   */
  public void ensureSynced() {
    if (synced || !hasDeclarations()) {
      return;
    }
    synchronized (this) {
      if (synced) {
        return;
      }
      Instant now = backend.ping().serverTime();
      List<ScheduleUpsert> upserts = new ArrayList<>();
      for (ScheduleSpec spec : declared.values()) {
        upserts.add(upsert(spec, now));
      }
      ScheduleUpsertResult r =
          backend.upsertSchedules(new ScheduleUpsertRequest(upserts, pruneUndeclared));
      synced = true;
      log.info(
          "Keel schedules stored: created={} updated={} unchanged={} removed={}",
          r.created(),
          r.updated(),
          r.unchanged(),
          r.removed());
      if (!r.removed().isEmpty()) {
        log.warn(
            "Keel removed stored schedules no node of this deploy declares"
                + " (pruneUndeclaredSchedules is on): {}",
            r.removed());
      }
    }
    onChange.run();
  }

  private static ScheduleUpsert upsert(ScheduleSpec spec, Instant now) {
    return new ScheduleUpsert(
        spec.name(), spec.encode(), spec.encodeTrigger(), nextAfter(spec, now));
  }

  private static Instant nextAfter(ScheduleSpec spec, Instant now) {
    Instant next = FireTimes.of(spec.trigger()).nextAfter(now);
    return next != null ? next : FirePlanner.NEVER;
  }

  @Override
  public ScheduleInfo declare(Schedule schedule) {
    if (schedule == null) {
      throw new InvalidScheduleException("schedule", "must not be null");
    }
    ScheduleSpec spec = spec(schedule);
    Instant now = backend.ping().serverTime();
    backend.upsertSchedules(new ScheduleUpsertRequest(List.of(upsert(spec, now)), false));
    onChange.run();
    return find(schedule.name())
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "schedule '" + schedule.name() + "' was removed right after it was stored"));
  }

  @Override
  public boolean remove(String name) {
    ensureSynced();
    return backend.removeSchedule(new ScheduleRef(checkName(name))).changed();
  }

  @Override
  public ScheduleInfo pause(String name) {
    ensureSynced();
    ScheduleChangeResult r =
        backend.pauseSchedule(new SchedulePauseRequest(checkName(name), true, null));
    return changed(name, r);
  }

  @Override
  public ScheduleInfo resume(String name) {
    ensureSynced();
    ScheduleSpec spec = storedSpec(name);
    Instant next = nextAfter(spec, backend.ping().serverTime());
    ScheduleChangeResult r = backend.pauseSchedule(new SchedulePauseRequest(name, false, next));
    onChange.run();
    return changed(name, r);
  }

  /** The stored declaration of {@code name}, as every node fires it. */
  private ScheduleSpec storedSpec(String name) {
    StoredSchedule stored =
        backend
            .findSchedule(new ScheduleRef(checkName(name)))
            .orElseThrow(() -> new NoSuchScheduleException(name));
    return ScheduleSpec.decode(name, stored.spec());
  }

  private ScheduleInfo changed(String name, ScheduleChangeResult r) {
    if (!r.found() || r.schedule().isEmpty()) {
      throw new NoSuchScheduleException(name);
    }
    return info(r.schedule().get());
  }

  @Override
  public Optional<ScheduleInfo> find(String name) {
    ensureSynced();
    return backend.findSchedule(new ScheduleRef(checkName(name))).map(ScheduleService::info);
  }

  @Override
  public ScheduleInfoPage list(String afterName, int limit) {
    if (limit < 1 || limit > 1000) {
      throw new InvalidScheduleException("list.limit", "must be between 1 and 1000, was " + limit);
    }
    ensureSynced();
    SchedulePage page = backend.listSchedules(new ScheduleListRequest(afterName, limit));
    List<ScheduleInfo> out = new ArrayList<>(page.schedules().size());
    for (StoredSchedule s : page.schedules()) {
      out.add(info(s));
    }
    return new ScheduleInfoPage(out, page.nextAfterName());
  }

  @Override
  public List<ScheduleInfo> list() {
    List<ScheduleInfo> all = new ArrayList<>();
    String after = null;
    do {
      ScheduleInfoPage page = list(after, 1000);
      all.addAll(page.schedules());
      after = page.nextAfterName();
    } while (after != null);
    return all;
  }

  @Override
  public EnqueueResult trigger(String name) {
    ensureSynced();
    ScheduleSpec spec = storedSpec(name);
    NewJob job = FirePlanner.job(spec, ids, null);
    EnqueueResult result = backend.enqueue(EnqueueRequest.of(job)).results().get(0);
    listeners.fire(new JobEvent.Enqueued(job.type(), job.tenant(), result));
    return result;
  }

  @Override
  public FireReport fireDue() {
    ensureSynced();
    DueSchedules due = backend.dueSchedules(new DueSchedulesRequest(BATCH));
    Instant now = due.now();
    List<ScheduleFire> fires = new ArrayList<>(due.due().size());
    Map<String, ScheduleSpec> specs = new LinkedHashMap<>();
    int unreadable = 0;
    for (StoredSchedule stored : due.due()) {
      ScheduleSpec spec;
      try {
        spec = ScheduleSpec.decode(stored.name(), stored.spec());
      } catch (IllegalStateException e) {
        unreadable++;
        if (reportedUnreadable.add(stored.name() + "@" + stored.version())) {
          log.error(
              "Keel cannot fire schedule '{}' (version {}): its stored spec is unreadable;"
                  + " it stays due until a node that can read it fires it, or it is redeclared",
              stored.name(),
              stored.version(),
              e);
        }
        continue;
      }
      specs.put(stored.name(), spec);
      fires.add(FirePlanner.plan(spec, stored, now, ids));
    }
    int jobs = 0;
    int skipped = 0;
    int waiting = 0;
    int stale = 0;
    boolean moreDue = due.due().size() == BATCH && unreadable < due.due().size();
    Instant next = due.nextFireAt();
    if (!fires.isEmpty()) {
      ScheduleFireResult result = backend.fireSchedules(new ScheduleFireRequest(fires));
      for (int i = 0; i < fires.size(); i++) {
        ScheduleFire fire = fires.get(i);
        ScheduleFireOutcome outcome = result.outcomes().get(i);
        switch (outcome.kind()) {
          case FIRED -> {
            ScheduleSpec spec = specs.get(fire.name());
            for (EnqueueResult r : outcome.jobs()) {
              listeners.fire(new JobEvent.Enqueued(spec.job().type(), spec.job().tenant(), r));
            }
            jobs += outcome.jobs().size();
          }
          case SKIPPED_OVERLAP -> skipped++;
          case WAITING_OVERLAP -> waiting++;
          case STALE -> stale++;
        }
        if (outcome.kind() == ScheduleFireOutcome.Kind.FIRED
            || outcome.kind() == ScheduleFireOutcome.Kind.SKIPPED_OVERLAP) {
          if (!fire.nextFireAt().isAfter(now)) {
            moreDue = true;
          }
          if (next == null || fire.nextFireAt().isBefore(next)) {
            next = fire.nextFireAt();
          }
        }
      }
    }
    if (stale > 0) {
      // Another node fired first or the schedule changed under us: read again (cheap, bounded by
      // the scheduler's loop) rather than sleep on a plan that is out of date.
      moreDue = true;
    }
    return new FireReport(
        now, due.due().size(), jobs, skipped, waiting, stale, unreadable, next, moreDue);
  }

  /** The stored schedule for people: trigger and template decoded, the next fire times listed. */
  static ScheduleInfo info(StoredSchedule s) {
    ScheduleSpec spec = ScheduleSpec.decode(s.name(), s.spec());
    List<Instant> next = new ArrayList<>(ScheduleInfo.NEXT_FIRE_TIMES);
    if (!s.paused()) {
      FireTimes times = FireTimes.of(spec.trigger());
      Instant t = s.nextFireAt();
      while (t != null
          && next.size() < ScheduleInfo.NEXT_FIRE_TIMES
          && t.isBefore(FirePlanner.NEVER)) {
        next.add(t);
        t = times.nextAfter(t);
      }
    }
    return new ScheduleInfo(
        s.name(),
        spec.trigger(),
        spec.job().type(),
        spec.job().queue(),
        spec.job().tenant(),
        spec.misfire(),
        spec.misfireWindow(),
        spec.overlap(),
        s.paused(),
        next,
        s.lastFireAt(),
        s.lastJobId(),
        s.lastJobTenant(),
        s.lastJobState(),
        s.version(),
        s.updatedAt());
  }

  private static String checkName(String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidScheduleException("name", "must not be blank");
    }
    if (name.length() > Limits.MAX_NAME_LENGTH) {
      throw new InvalidScheduleException(
          "name", "must be at most " + Limits.MAX_NAME_LENGTH + " characters");
    }
    return name;
  }
}
