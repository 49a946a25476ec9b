package dev.keel.queue.testkit;

import dev.keel.queue.DrainOptions;
import dev.keel.queue.DrainReport;
import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.recurring.FireReport;
import dev.keel.queue.recurring.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Helpers for application tests on the inline backend ("nothing runs until the test drains"):
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.startingAtDefault();
 * Keel keel = Keel.builder().clock(clock).backend(InlineBackend.create(clock)).register(...).build();
 * signupService.register("ann@example.com");                      // enqueues a welcome email
 * KeelTesting.enqueued(keel).ofType("email.welcome").assertCount(1);
 * KeelTesting.drainUntilIdle(keel, clock);                          // runs it, and its retries
 * }</pre>
 */
public final class KeelTesting {
  /** Drains at most this many rounds before deciding the jobs never settle. */
  static final int MAX_ROUNDS = 10_000;

  private KeelTesting() {}

  /** Runs due jobs until none is due. Jobs scheduled in the future stay PENDING. */
  public static DrainTotals drainUntilIdle(Keel keel) {
    DrainTotals totals = new DrainTotals();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      DrainReport r = keel.drain(DrainOptions.defaults());
      totals.add(r);
      if (r.stoppedBecause() == DrainReport.StopReason.IDLE) {
        return totals;
      }
    }
    throw new AssertionError(
        "jobs were still due after "
            + MAX_ROUNDS
            + " drain rounds: a job re-enqueues itself forever?");
  }

  /**
   * Runs due jobs, then moves {@code clock} forward in growing steps (1 ms, 2 ms, 4 ms, …) so that
   * retries, snoozes and delayed jobs come due and run, until no job of any tenant is PENDING — or
   * the clock has moved {@code horizon}. Steps overshoot a due time by at most its distance, which
   * tests of "eventually" do not mind.
   */
  public static DrainTotals drainUntilIdle(Keel keel, ManualClock clock, Duration horizon) {
    DrainTotals totals = new DrainTotals();
    Instant limit = clock.instant().plus(horizon);
    Duration step = Duration.ofMillis(1);
    for (int round = 0; round < MAX_ROUNDS; round++) {
      DrainTotals r = drainUntilIdle(keel);
      totals.add(r);
      if (keel.health().count(JobState.PENDING) == 0 || !clock.instant().isBefore(limit)) {
        return totals;
      }
      step = r.ran() > 0 ? Duration.ofMillis(1) : step.multipliedBy(2);
      Instant next = clock.instant().plus(step);
      clock.set(next.isAfter(limit) ? limit : next);
    }
    throw new AssertionError("jobs kept being scheduled after " + MAX_ROUNDS + " rounds");
  }

  /** {@link #drainUntilIdle(Keel, ManualClock, Duration)} with a horizon of one day. */
  public static DrainTotals drainUntilIdle(Keel keel, ManualClock clock) {
    return drainUntilIdle(keel, clock, Duration.ofDays(1));
  }

  /** The jobs in the default tenant, for assertions. */
  public static EnqueuedJobs enqueued(Keel keel) {
    return new EnqueuedJobs(keel, "default", null, List.of(), null);
  }

  /**
   * Fires every due schedule on the backend's clock (the workers' path), repeating while more are
   * due, and returns the number of jobs the fires created.
   */
  public static int fireDueSchedules(Keel keel) {
    int jobs = 0;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      FireReport r = keel.schedules().fireDue();
      jobs += r.jobsEnqueued();
      if (!r.moreDue()) {
        return jobs;
      }
    }
    throw new AssertionError("schedules were still due after " + MAX_ROUNDS + " rounds");
  }

  /**
   * Moves {@code clock} forward through every fire time up to {@code until}, stopping at each one
   * to fire the due schedules and drain the jobs — as if a worker ran all along — and ends with the
   * clock at {@code until}. Returns the number of jobs the schedules created.
   *
   * <pre>{@code
   * KeelTesting.runSchedulesUntil(keel, clock, clock.instant().plus(Duration.ofDays(3)));
   * KeelTesting.enqueued(keel).ofSchedule("backup.nightly").assertCount(3);
   * }</pre>
   */
  public static int runSchedulesUntil(Keel keel, ManualClock clock, Instant until) {
    int jobs = 0;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      jobs += fireDueSchedules(keel);
      drainUntilIdle(keel);
      FireReport probe = keel.schedules().fireDue();
      jobs += probe.jobsEnqueued();
      Instant next = probe.nextFireAt();
      if (next == null || next.isAfter(until)) {
        if (clock.instant().isBefore(until)) {
          clock.set(until);
        }
        jobs += fireDueSchedules(keel);
        drainUntilIdle(keel);
        return jobs;
      }
      if (next.isAfter(clock.instant())) {
        clock.set(next);
      }
    }
    throw new AssertionError("more than " + MAX_ROUNDS + " fire times before " + until);
  }

  /** What a sequence of drains did, added up. */
  public static final class DrainTotals {
    private int ran;
    private int succeeded;
    private int retried;
    private int failed;
    private int snoozed;
    private int cancelled;

    void add(DrainReport r) {
      ran += r.ran();
      succeeded += r.succeeded();
      retried += r.retried();
      failed += r.failed();
      snoozed += r.snoozed();
      cancelled += r.cancelled();
    }

    void add(DrainTotals t) {
      ran += t.ran;
      succeeded += t.succeeded;
      retried += t.retried;
      failed += t.failed;
      snoozed += t.snoozed;
      cancelled += t.cancelled;
    }

    public int ran() {
      return ran;
    }

    public int succeeded() {
      return succeeded;
    }

    public int retried() {
      return retried;
    }

    public int failed() {
      return failed;
    }

    public int snoozed() {
      return snoozed;
    }

    public int cancelled() {
      return cancelled;
    }

    @Override
    public String toString() {
      return "DrainTotals[ran="
          + ran
          + ", succeeded="
          + succeeded
          + ", retried="
          + retried
          + ", failed="
          + failed
          + ", snoozed="
          + snoozed
          + ", cancelled="
          + cancelled
          + "]";
    }
  }

  /** A filtered view of a tenant's jobs with assertion helpers. Immutable. */
  public static final class EnqueuedJobs {
    private final Keel keel;
    private final String tenant;
    private final String type;
    private final List<JobState> states;
    private final String schedule;

    EnqueuedJobs(Keel keel, String tenant, String type, List<JobState> states, String schedule) {
      this.keel = keel;
      this.tenant = tenant;
      this.type = type;
      this.states = states;
      this.schedule = schedule;
    }

    public EnqueuedJobs inTenant(String tenant) {
      return new EnqueuedJobs(keel, tenant, type, states, schedule);
    }

    public EnqueuedJobs ofType(String type) {
      return new EnqueuedJobs(keel, tenant, type, states, schedule);
    }

    public EnqueuedJobs inState(JobState... states) {
      return new EnqueuedJobs(keel, tenant, type, List.of(states), schedule);
    }

    /** Only the jobs the named recurring schedule created (regular and manual fires). */
    public EnqueuedJobs ofSchedule(String scheduleName) {
      return new EnqueuedJobs(keel, tenant, type, states, scheduleName);
    }

    /** The fire times of the matching jobs (manual fires have none), oldest first. */
    public List<Instant> fireTimes() {
      List<Instant> out = new ArrayList<>();
      for (Job j : jobs()) {
        String t = j.metadata().get(Schedule.FIRE_TIME_KEY);
        if (t != null) {
          out.add(Instant.parse(t));
        }
      }
      out.sort(null);
      return out;
    }

    /** Every matching job, oldest first. */
    public List<Job> jobs() {
      JobQuery q = JobQuery.tenant(tenant);
      if (type != null) {
        q = q.withType(type);
      }
      if (!states.isEmpty()) {
        q = q.withStates(states.toArray(JobState[]::new));
      }
      List<Job> all = listAll(keel, q);
      if (schedule != null) {
        all.removeIf(j -> !schedule.equals(j.metadata().get(Schedule.SCHEDULE_KEY)));
      }
      return all;
    }

    /** The payloads of every matching job as {@code payloadType}. */
    public <T> List<T> payloads(Class<T> payloadType) {
      List<T> out = new ArrayList<>();
      for (Job j : jobs()) {
        out.add(keel.client().payload(j, payloadType));
      }
      return out;
    }

    /** Fails unless exactly {@code expected} jobs match. */
    public EnqueuedJobs assertCount(int expected) {
      List<Job> jobs = jobs();
      if (jobs.size() != expected) {
        throw new AssertionError(
            "expected "
                + expected
                + " "
                + describe()
                + " but found "
                + jobs.size()
                + ": "
                + summary(jobs));
      }
      return this;
    }

    /** The only matching job; fails if there are none or several. */
    public Job single() {
      List<Job> jobs = assertCount(1).jobs();
      return jobs.get(0);
    }

    private String describe() {
      return "job(s)"
          + (type == null ? "" : " of type '" + type + "'")
          + " in tenant '"
          + tenant
          + "'"
          + (states.isEmpty() ? "" : " in state " + states)
          + (schedule == null ? "" : " of schedule '" + schedule + "'");
    }

    private static String summary(List<Job> jobs) {
      List<String> s = new ArrayList<>();
      for (Job j : jobs.subList(0, Math.min(10, jobs.size()))) {
        s.add(j.type() + "/" + j.state() + "/" + j.id());
      }
      return s + (jobs.size() > 10 ? " …" : "");
    }

    static List<Job> listAll(Keel keel, JobQuery query) {
      List<Job> all = new ArrayList<>();
      JobQuery q = query.withLimit(JobQuery.MAX_LIMIT);
      while (true) {
        JobPage page = keel.client().list(q);
        all.addAll(page.jobs());
        if (page.next().isEmpty()) {
          return all;
        }
        q = q.withAfter(page.next().get());
      }
    }
  }
}
