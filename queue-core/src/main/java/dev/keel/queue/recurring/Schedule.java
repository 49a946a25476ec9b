package dev.keel.queue.recurring;

import dev.keel.queue.JobRequest;
import dev.keel.queue.Limits;
import dev.keel.queue.internal.FireTimes;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A recurring schedule as declared in code: a unique name, a trigger (cron expression in a time
 * zone, or a fixed interval), the job to enqueue at each fire time, and what to do about missed
 * fire times and about a previous job that is still running. Immutable; built with {@link #cron},
 * {@link #cronWithSeconds} or {@link #every}, each option set at most once.
 *
 * <pre>{@code
 * Schedule backup = Schedule.cron("backup.nightly", "0 2 * * *")
 *     .zone("Europe/Berlin")
 *     .job(JobRequest.of("db.backup", new Backup("orders")).withQueue("maintenance"))
 *     .build();
 * Keel.builder().backend(backend).register(...).schedule(backup).build();
 * }</pre>
 *
 * <p>Every rule is checked when the option is given, with an {@link InvalidScheduleException}
 * naming the field; the job template is checked against the job rules (type name, payload size, …)
 * when the schedule is declared to a {@code Keel}. Nothing is written before that.
 */
public final class Schedule {
  /** Shortest interval of {@link #every}. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** Longest interval of {@link #every}. */
  public static final Duration MAX_INTERVAL = Duration.ofDays(3660);

  /** Default misfire window: fire times found later than this are missed. */
  public static final Duration DEFAULT_MISFIRE_WINDOW = Duration.ofMinutes(1);

  /** Longest misfire window. */
  public static final Duration MAX_MISFIRE_WINDOW = Duration.ofDays(366);

  /** Prefix of the metadata keys Keel sets on the jobs of a schedule; templates may not use it. */
  public static final String METADATA_PREFIX = "keel.";

  /** Metadata key on a schedule's jobs: the schedule's name. */
  public static final String SCHEDULE_KEY = "keel.schedule";

  /** Metadata key on a schedule's jobs: the fire time (ISO-8601 instant) the job was made for. */
  public static final String FIRE_TIME_KEY = "keel.fire-time";

  /** Metadata key on a job made by {@code Schedules.trigger}: value {@code manual}. */
  public static final String TRIGGER_KEY = "keel.trigger";

  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final Pattern NAME = Pattern.compile(Limits.NAME_PATTERN);
  private static final Instant LATEST_ANCHOR = Instant.parse("2200-01-01T00:00:00Z");

  private final String name;
  private final ScheduleTrigger trigger;
  private final JobRequest<?> job;
  private final MisfirePolicy misfire;
  private final Duration misfireWindow;
  private final OverlapPolicy overlap;

  private Schedule(Builder b, ScheduleTrigger trigger) {
    this.name = b.name;
    this.trigger = trigger;
    this.job = b.job;
    this.misfire = b.misfire != null ? b.misfire : MisfirePolicy.fireOnce();
    this.misfireWindow = b.misfireWindow != null ? b.misfireWindow : DEFAULT_MISFIRE_WINDOW;
    this.overlap = b.overlap != null ? b.overlap : OverlapPolicy.SKIP;
  }

  /**
   * A schedule on a five-field Unix cron expression ({@code minute hour day-of-month month
   * day-of-week}; lists, ranges, steps and names such as {@code MON} or {@code JAN}), in UTC unless
   * {@link Builder#zone} says otherwise.
   *
   * @throws InvalidScheduleException {@code schedule.name} breaks the naming rules, or {@code
   *     schedule.cron} does not parse or never fires
   */
  public static Builder cron(String name, String expression) {
    return new Builder(name).cron(expression, false);
  }

  /** As {@link #cron}, with six fields: a leading seconds field ({@code 0-59}). */
  public static Builder cronWithSeconds(String name, String expression) {
    return new Builder(name).cron(expression, true);
  }

  /**
   * A schedule that fires every {@code period} (1 second to 3660 days, whole milliseconds), at the
   * multiples of {@code period} since the Unix epoch unless {@link Builder#startingAt} moves the
   * anchor.
   */
  public static Builder every(String name, Duration period) {
    return new Builder(name).interval(period);
  }

  public String name() {
    return name;
  }

  public ScheduleTrigger trigger() {
    return trigger;
  }

  /** The job enqueued at each fire time (its run-at is the fire time). */
  public JobRequest<?> job() {
    return job;
  }

  public MisfirePolicy misfire() {
    return misfire;
  }

  public Duration misfireWindow() {
    return misfireWindow;
  }

  public OverlapPolicy overlap() {
    return overlap;
  }

  @Override
  public String toString() {
    return "Schedule[" + name + ", " + trigger.describe() + ", job type " + job.type() + "]";
  }

  /** Configures a {@link Schedule}; each option at most once. */
  public static final class Builder {
    private final String name;
    private String expression;
    private boolean withSeconds;
    private Duration period;
    private ZoneId zone;
    private Instant anchor;
    private JobRequest<?> job;
    private MisfirePolicy misfire;
    private Duration misfireWindow;
    private OverlapPolicy overlap;

    private Builder(String name) {
      if (name == null || name.isBlank()) {
        throw new InvalidScheduleException("name", "must not be blank");
      }
      if (!NAME.matcher(name).matches()) {
        throw new InvalidScheduleException(
            "name",
            "must be 1 to "
                + Limits.MAX_NAME_LENGTH
                + " characters of letters, digits, '_', '.', ':' or '-', was '"
                + abbreviate(name)
                + "'");
      }
      this.name = name;
    }

    private static void once(Object current, String option) {
      if (current != null) {
        throw new InvalidScheduleException(option, "was already set to " + current);
      }
    }

    private Builder cron(String expression, boolean withSeconds) {
      if (expression == null || expression.isBlank()) {
        throw new InvalidScheduleException("cron", "must not be blank");
      }
      // Parsed now so that a bad expression fails at declaration; any zone gives the same answer.
      FireTimes.checkCron(expression.strip(), withSeconds);
      this.expression = expression.strip();
      this.withSeconds = withSeconds;
      return this;
    }

    private Builder interval(Duration period) {
      if (period == null) {
        throw new InvalidScheduleException("interval", "must not be null");
      }
      if (period.compareTo(MIN_INTERVAL) < 0 || period.compareTo(MAX_INTERVAL) > 0) {
        throw new InvalidScheduleException(
            "interval",
            "must be between " + MIN_INTERVAL + " and " + MAX_INTERVAL + ", was " + period);
      }
      if (period.getNano() % 1_000_000 != 0) {
        throw new InvalidScheduleException(
            "interval", "must be a whole number of milliseconds, was " + period);
      }
      this.period = period;
      return this;
    }

    /**
     * The time zone a cron expression is read in (default UTC), as an IANA id such as {@code
     * Europe/Berlin}.
     *
     * @throws InvalidScheduleException {@code schedule.zone}: unknown, or set on an interval
     */
    public Builder zone(String zoneId) {
      if (zoneId == null || zoneId.isBlank()) {
        throw new InvalidScheduleException("zone", "must not be blank");
      }
      ZoneId z;
      try {
        z = ZoneId.of(zoneId.strip());
      } catch (DateTimeException e) {
        throw new InvalidScheduleException(
            "zone", "must be a known time zone id such as 'Europe/Berlin', was '" + zoneId + "'");
      }
      return zone(z);
    }

    /** {@link #zone(String)} with a {@link ZoneId}. */
    public Builder zone(ZoneId zone) {
      once(this.zone, "zone");
      Objects.requireNonNull(zone, "zone");
      if (period != null) {
        throw new InvalidScheduleException(
            "zone", "applies to cron schedules only; an interval counts elapsed time");
      }
      this.zone = zone;
      return this;
    }

    /**
     * The instant an interval counts from (default the Unix epoch): fire times are {@code anchor +
     * k × period}. Truncated to whole milliseconds.
     */
    public Builder startingAt(Instant anchor) {
      once(this.anchor, "startingAt");
      Objects.requireNonNull(anchor, "anchor");
      if (period == null) {
        throw new InvalidScheduleException("startingAt", "applies to interval schedules only");
      }
      if (anchor.isBefore(Instant.EPOCH) || !anchor.isBefore(LATEST_ANCHOR)) {
        throw new InvalidScheduleException(
            "startingAt", "must be between 1970 and " + LATEST_ANCHOR + ", was " + anchor);
      }
      this.anchor = anchor;
      return this;
    }

    /**
     * The job enqueued at each fire time: type, payload, queue, tenant, priority, max attempts,
     * timeout and metadata are taken from it. It may not set an idempotency key (each fire time is
     * already created once), a run-at or a delay (the fire time is its run-at), or metadata keys
     * starting with {@code keel.}.
     */
    public Builder job(JobRequest<?> job) {
      once(this.job, "job");
      if (job == null) {
        throw new InvalidScheduleException("job", "must not be null");
      }
      if (job.idempotencyKey() != null) {
        throw new InvalidScheduleException(
            "job.idempotencyKey",
            "must not be set: each fire time creates exactly one job already; use the overlap"
                + " policy to keep fires from running side by side");
      }
      if (job.runAt() != null || job.delay() != null) {
        throw new InvalidScheduleException(
            job.runAt() != null ? "job.runAt" : "job.delay",
            "must not be set: a scheduled job runs at its fire time");
      }
      for (String key : job.metadata().keySet()) {
        if (key != null && key.startsWith(METADATA_PREFIX)) {
          throw new InvalidScheduleException(
              "job.metadata",
              "keys starting with '" + METADATA_PREFIX + "' are Keel's, was " + key);
        }
      }
      this.job = job;
      return this;
    }

    /** What to do about missed fire times (default {@link MisfirePolicy#fireOnce()}). */
    public Builder misfire(MisfirePolicy policy) {
      once(this.misfire, "misfire");
      this.misfire = Objects.requireNonNull(policy, "misfire");
      return this;
    }

    /**
     * How late a fire time may be found and still fire as usual (default 1 minute, at most 366
     * days); later ones are missed and follow the {@link #misfire} policy.
     */
    public Builder misfireWindow(Duration window) {
      once(this.misfireWindow, "misfireWindow");
      Objects.requireNonNull(window, "misfireWindow");
      if (window.isNegative() || window.isZero() || window.compareTo(MAX_MISFIRE_WINDOW) > 0) {
        throw new InvalidScheduleException(
            "misfireWindow",
            "must be positive and at most " + MAX_MISFIRE_WINDOW + ", was " + window);
      }
      this.misfireWindow = window;
      return this;
    }

    /** What to do while the previous fire's job is active (default {@link OverlapPolicy#SKIP}). */
    public Builder overlap(OverlapPolicy policy) {
      once(this.overlap, "overlap");
      this.overlap = Objects.requireNonNull(policy, "overlap");
      return this;
    }

    /**
     * @throws InvalidScheduleException {@code schedule.job} was not given
     */
    public Schedule build() {
      if (job == null) {
        throw new InvalidScheduleException("job", "must be set: the job to enqueue at each fire");
      }
      ScheduleTrigger trigger =
          period != null
              ? new ScheduleTrigger.Interval(
                  period, anchor != null ? anchor.truncatedTo(ChronoUnit.MILLIS) : Instant.EPOCH)
              : new ScheduleTrigger.Cron(expression, withSeconds, zone != null ? zone : UTC);
      return new Schedule(this, trigger);
    }

    private static String abbreviate(String s) {
      return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
  }
}
