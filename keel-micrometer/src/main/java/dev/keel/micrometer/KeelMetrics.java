package dev.keel.micrometer;

import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.Job;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobListener;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.MaintenanceReport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Micrometer metrics for Keel: counters and timers fed by job events, and gauges of the queue's
 * state read from {@link Keel#health()}.
 *
 * <p>It is a {@link JobListener} (give it to the Keel builder, so it sees every event from the
 * start), a {@link MeterBinder} (bind it to your registry) and needs the built Keel as the source
 * of its gauges. The listener must exist before the Keel and the Keel only after it is built, hence
 * three steps, in this order:
 *
 * <pre>{@code
 * KeelMetrics metrics = KeelMetrics.builder()
 *     .refreshInterval(Duration.ofSeconds(10))   // the default
 *     .build();
 * Keel keel = Keel.builder().backend(backend).register(...).listener(metrics).build();
 * metrics.monitor(keel);                       // the source of the gauges
 * metrics.bindTo(registry);                    // registers the meters
 * }</pre>
 *
 * <p>{@link #bindTo} without {@link #monitor} first is an {@link IllegalStateException} saying so
 * (unless built with {@link Builder#healthGauges(boolean) healthGauges(false)}, for a process that
 * only wants the event metrics). Bind it once; to publish to several registries bind it to a {@link
 * io.micrometer.core.instrument.composite.CompositeMeterRegistry}. {@link #close()} removes its
 * meters from the registry and stops counting.
 *
 * <h2>Event meters</h2>
 *
 * Tags: {@code queue} and {@code type}; {@code tenant} too only with {@link
 * Builder#tagTenants(boolean) tagTenants(true)}. Never a job id. Counters (Prometheus adds {@code
 * _total}): {@value #JOBS_ENQUEUED} (tags {@code type}, {@code created}; no {@code queue}: the
 * enqueue event does not carry it), {@value #JOBS_STARTED}, {@value #JOBS_SUCCEEDED}, {@value
 * #JOBS_FAILED}, {@value #JOBS_RETRIED}, {@value #JOBS_CANCELLED}, {@value #JOBS_SNOOZED}, {@value
 * #JOBS_THROTTLED}, {@value #JOBS_RELEASED}, {@value #JOBS_LEASE_LOST}; from maintenance runs of
 * this node (no tags): {@value #JOBS_RESCUED}, {@value #JOBS_FAILED_ON_RESCUE}, {@value
 * #JOBS_PRUNED}, {@value #MAINTENANCE_RUNS}. Counters count from the moment the Keel was built,
 * also before {@link #bindTo}. Timers, with percentile histograms: {@value #JOBS_EXECUTION}
 * (handler run time of successful attempts) and {@value #JOBS_QUEUE_WAIT} (from when a job was due
 * to when it started); they record from {@link #bindTo} on.
 *
 * <h2>Gauges</h2>
 *
 * {@value #JOBS_CURRENT} (tag {@code state}: {@code pending}, {@code running}, {@code succeeded},
 * {@code failed}, {@code cancelled}), {@value #JOBS_CURRENT_BY_TYPE} (tags {@code type}, {@code
 * state}), {@value #JOBS_STUCK}, {@value #JOBS_FAILED_LAST_HOUR}, {@value #JOBS_OLDEST_DUE_AGE}
 * (seconds; 0 when nothing is due) and {@value #BACKEND_REACHABLE} (1 or 0). {@code pending}
 * includes jobs scheduled for later and jobs waiting for a retry: Keel has no separate scheduled
 * state and the health snapshot does not split PENDING by due time; {@value #JOBS_OLDEST_DUE_AGE}
 * above 0 says that due work is waiting. All gauges read one cached snapshot, taken at most once
 * per refresh interval on a gauge read; gauges of a type appear when the type is first seen in an
 * event or a snapshot. When the backend does not answer, the gauges keep their last values, {@value
 * #BACKEND_REACHABLE} is 0, and a warning is logged; a scrape never fails because of it.
 *
 * <p>Listener calls are cheap: a few hash lookups and an adder increment, plus a timer record for
 * start and success; meters are created once per (queue, type[, tenant]).
 */
public final class KeelMetrics implements MeterBinder, JobListener, AutoCloseable {

  /** Default {@link Builder#refreshInterval}: 10 seconds. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(10);

  /** Enqueues; tags {@code type}, {@code created} ({@code false}: an idempotency key matched). */
  public static final String JOBS_ENQUEUED = "keel.jobs.enqueued";

  /** Attempts started (handler about to run). */
  public static final String JOBS_STARTED = "keel.jobs.started";

  /** Jobs that succeeded. */
  public static final String JOBS_SUCCEEDED = "keel.jobs.succeeded";

  /** Jobs that ended FAILED after an attempt (permanent failure, or attempts exhausted). */
  public static final String JOBS_FAILED = "keel.jobs.failed";

  /** Failed attempts that will be retried. */
  public static final String JOBS_RETRIED = "keel.jobs.retried";

  /** Jobs their handler cancelled. */
  public static final String JOBS_CANCELLED = "keel.jobs.cancelled";

  /** Jobs their handler snoozed. */
  public static final String JOBS_SNOOZED = "keel.jobs.snoozed";

  /** Jobs a throttle deferred before they started. */
  public static final String JOBS_THROTTLED = "keel.jobs.throttled";

  /** Jobs claimed but returned unstarted (worker shutdown). */
  public static final String JOBS_RELEASED = "keel.jobs.released";

  /** Attempts whose lease this worker lost (rescued or cancelled elsewhere); result discarded. */
  public static final String JOBS_LEASE_LOST = "keel.jobs.lease.lost";

  /** Expired leases this node's maintenance made PENDING again. */
  public static final String JOBS_RESCUED = "keel.jobs.rescued";

  /** Expired leases on their last attempt this node's maintenance made FAILED. */
  public static final String JOBS_FAILED_ON_RESCUE = "keel.jobs.failed.on.rescue";

  /** Finished jobs this node's maintenance deleted past retention. */
  public static final String JOBS_PRUNED = "keel.jobs.pruned";

  /** Maintenance runs of this node that held the maintenance lock. */
  public static final String MAINTENANCE_RUNS = "keel.maintenance.runs";

  /** Timer: handler run time of successful attempts. */
  public static final String JOBS_EXECUTION = "keel.jobs.execution";

  /** Timer: startedAt − max(runAt, createdAt), never negative. */
  public static final String JOBS_QUEUE_WAIT = "keel.jobs.queue.wait";

  /** Gauge: jobs in a state, all types; tag {@code state}. */
  public static final String JOBS_CURRENT = "keel.jobs.current";

  /** Gauge: jobs in a state per type; tags {@code type}, {@code state}. */
  public static final String JOBS_CURRENT_BY_TYPE = "keel.jobs.current.by.type";

  /** Gauge: RUNNING jobs whose lease expired and that were not rescued yet. */
  public static final String JOBS_STUCK = "keel.jobs.stuck";

  /** Gauge: jobs that became FAILED in the last hour. */
  public static final String JOBS_FAILED_LAST_HOUR = "keel.jobs.failed.last.hour";

  /** Time gauge (seconds): how long the oldest due PENDING job has waited; 0 if none is due. */
  public static final String JOBS_OLDEST_DUE_AGE = "keel.jobs.oldest.due.age";

  /** Gauge: 1 if the last health snapshot reached the backend, else 0. */
  public static final String BACKEND_REACHABLE = "keel.backend.reachable";

  public static final String TAG_QUEUE = "queue";
  public static final String TAG_TYPE = "type";
  public static final String TAG_TENANT = "tenant";
  public static final String TAG_STATE = "state";
  public static final String TAG_CREATED = "created";

  /** Above this the timers' histograms put durations into the last bucket. */
  private static final Duration HISTOGRAM_MAX = Duration.ofHours(1);

  private static final String NO_TENANT = "";
  private static final String DEFAULT_TENANT = "default";

  private final Duration refreshInterval;
  private final boolean tagTenants;
  private final boolean healthGauges;
  private final InstantSource clock;

  private final MeterIndex<JobMeters> jobs = new MeterIndex<>();
  private final MeterIndex<EnqueueMeters> enqueues = new MeterIndex<>();
  private final LongAdder rescued = new LongAdder();
  private final LongAdder failedOnRescue = new LongAdder();
  private final LongAdder pruned = new LongAdder();
  private final LongAdder maintenanceRuns = new LongAdder();

  private volatile MeterRegistry registry;
  private volatile HealthCache health;
  private volatile boolean closed;

  // Guarded by this: every registration and removal of meters.
  private final List<Meter> registered = new ArrayList<>();
  private final Set<String> typesWithGauges = ConcurrentHashMap.newKeySet();

  private KeelMetrics(Builder b) {
    this.refreshInterval = b.refreshInterval != null ? b.refreshInterval : DEFAULT_REFRESH_INTERVAL;
    this.tagTenants = b.tagTenants != null && b.tagTenants;
    this.healthGauges = b.healthGauges == null || b.healthGauges;
    this.clock = b.clock != null ? b.clock : InstantSource.system();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Takes the gauges' figures from {@code keel.health()}. Call once, after building the Keel this
   * listens to and before {@link #bindTo}.
   *
   * @throws IllegalStateException if a health source is already set, the gauges are off, or this is
   *     closed
   */
  public KeelMetrics monitor(Keel keel) {
    Objects.requireNonNull(keel, "keel");
    return monitor(keel::health);
  }

  /**
   * Takes the gauges' figures from {@code health}, called at most once per refresh interval; for a
   * source other than a local Keel. A source that throws or returns null counts as unreachable.
   *
   * @throws IllegalStateException as {@link #monitor(Keel)}
   */
  public synchronized KeelMetrics monitor(Supplier<HealthSnapshot> health) {
    Objects.requireNonNull(health, "health");
    if (closed) {
      throw new IllegalStateException("KeelMetrics is closed; build a new one");
    }
    if (!healthGauges) {
      throw new IllegalStateException(
          "KeelMetrics was built with healthGauges(false): it has no gauges to feed from a health"
              + " source");
    }
    if (this.health != null) {
      throw new IllegalStateException(
          "KeelMetrics already has a health source: monitor(...) is called once, with the Keel"
              + " this listener belongs to");
    }
    this.health = new HealthCache(health, clock, refreshInterval, this::typesSeen);
    return this;
  }

  /**
   * Registers the meters: maintenance counters, the gauges, and the meters of every (queue, type)
   * seen so far; later ones are registered as they appear.
   *
   * @throws IllegalStateException if no health source was given ({@link #monitor}) while the gauges
   *     are on, if already bound, or if closed
   */
  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (closed) {
      throw new IllegalStateException("KeelMetrics is closed; build a new one");
    }
    if (this.registry != null) {
      throw new IllegalStateException(
          "KeelMetrics is already bound to a registry; bind it once (to a CompositeMeterRegistry"
              + " to publish to several)");
    }
    HealthCache h = health;
    if (healthGauges && h == null) {
      throw new IllegalStateException(
          "KeelMetrics has no health source for its gauges: call metrics.monitor(keel) after"
              + " building the Keel and before bindTo(registry), or build it with"
              + " healthGauges(false)");
    }
    this.registry = registry;
    counter(registry, JOBS_RESCUED, Tags.empty(), rescued, "Expired leases rescued to PENDING");
    counter(
        registry,
        JOBS_FAILED_ON_RESCUE,
        Tags.empty(),
        failedOnRescue,
        "Expired leases on their last attempt made FAILED");
    counter(registry, JOBS_PRUNED, Tags.empty(), pruned, "Finished jobs pruned past retention");
    counter(
        registry,
        MAINTENANCE_RUNS,
        Tags.empty(),
        maintenanceRuns,
        "Maintenance runs that held the lock");
    if (h != null) {
      for (JobState state : JobState.values()) {
        add(
            Gauge.builder(JOBS_CURRENT, h, c -> c.values().count(state))
                .description("Jobs in a state, all types")
                .tag(TAG_STATE, stateTag(state))
                .strongReference(true)
                .register(registry));
      }
      add(
          Gauge.builder(JOBS_STUCK, h, c -> c.values().stuck())
              .description("RUNNING jobs whose lease expired, not rescued yet")
              .strongReference(true)
              .register(registry));
      add(
          Gauge.builder(JOBS_FAILED_LAST_HOUR, h, c -> c.values().failedLastHour())
              .description("Jobs that became FAILED in the last hour")
              .strongReference(true)
              .register(registry));
      add(
          TimeGauge.builder(
                  JOBS_OLDEST_DUE_AGE,
                  h,
                  TimeUnit.MILLISECONDS,
                  c -> c.values().oldestDueAgeMillis())
              .description("How long the oldest due PENDING job has waited; 0 if none is due")
              .strongReference(true)
              .register(registry));
      add(
          Gauge.builder(BACKEND_REACHABLE, h, c -> c.values().reachableValue())
              .description("1 if the last health snapshot reached the backend, else 0")
              .strongReference(true)
              .register(registry));
    }
    jobs.forEach(this::register);
    enqueues.forEach(this::register);
  }

  @Override
  public void onEvent(JobEvent event) {
    if (closed || event == null) {
      return;
    }
    if (event instanceof JobEvent.Started e) {
      Job job = e.job();
      JobMeters m = meters(job);
      m.started.increment();
      Timer wait = m.queueWait;
      if (wait != null && job.startedAt() != null) {
        wait.record(queueWaitNanos(job), TimeUnit.NANOSECONDS);
      }
    } else if (event instanceof JobEvent.Succeeded e) {
      JobMeters m = meters(e.job());
      m.succeeded.increment();
      Timer execution = m.execution;
      if (execution != null && e.took() != null) {
        execution.record(e.took());
      }
    } else if (event instanceof JobEvent.Enqueued e) {
      EnqueueMeters m = enqueueMeters(e.type(), e.tenant());
      if (e.result() == null || e.result().created()) {
        m.created.increment();
      } else {
        m.existing.increment();
      }
    } else if (event instanceof JobEvent.Retrying e) {
      meters(e.job()).retried.increment();
    } else if (event instanceof JobEvent.Failed e) {
      meters(e.job()).failed.increment();
    } else if (event instanceof JobEvent.Snoozed e) {
      meters(e.job()).snoozed.increment();
    } else if (event instanceof JobEvent.Cancelled e) {
      meters(e.job()).cancelled.increment();
    } else if (event instanceof JobEvent.Throttled e) {
      meters(e.job()).throttled.increment();
    } else if (event instanceof JobEvent.Released e) {
      meters(e.job()).released.increment();
    } else if (event instanceof JobEvent.LeaseLost e) {
      meters(e.job()).leaseLost.increment();
    }
  }

  @Override
  public void onMaintenance(MaintenanceReport report) {
    if (closed || report == null || !report.lockHeld()) {
      return;
    }
    maintenanceRuns.increment();
    rescued.add(report.rescued());
    failedOnRescue.add(report.failedOnRescue());
    pruned.add(report.pruned());
  }

  /** Removes this binder's meters from the registry and stops counting. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    MeterRegistry r = registry;
    if (r != null) {
      for (Meter m : registered) {
        r.remove(m);
      }
    }
    registered.clear();
  }

  @Override
  public String toString() {
    return "KeelMetrics[refreshInterval="
        + refreshInterval
        + ", tagTenants="
        + tagTenants
        + ", healthGauges="
        + healthGauges
        + "]";
  }

  // ---- hot path

  private JobMeters meters(Job job) {
    String tenant = tagTenants ? job.tenant() : NO_TENANT;
    JobMeters m = jobs.get(job.queue(), job.type(), tenant);
    return m != null ? m : newJobMeters(job.queue(), job.type(), tenant);
  }

  private EnqueueMeters enqueueMeters(String type, String tenant) {
    String t = !tagTenants ? NO_TENANT : tenant != null ? tenant : DEFAULT_TENANT;
    EnqueueMeters m = enqueues.get(type, t, NO_TENANT);
    return m != null ? m : newEnqueueMeters(type, t);
  }

  /** startedAt − max(runAt, createdAt) in nanoseconds, never negative. */
  static long queueWaitNanos(Job job) {
    Instant ready = job.runAt().isAfter(job.createdAt()) ? job.runAt() : job.createdAt();
    Instant started = job.startedAt();
    long seconds = started.getEpochSecond() - ready.getEpochSecond();
    if (seconds < 0) {
      return 0;
    }
    if (seconds > Long.MAX_VALUE / 1_000_000_000L - 1) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, seconds * 1_000_000_000L + (started.getNano() - ready.getNano()));
  }

  // ---- cold path: first event of a (queue, type[, tenant]), binding, new types in a snapshot

  private JobMeters newJobMeters(String queue, String type, String tenant) {
    JobMeters m =
        jobs.computeIfAbsent(
            queue,
            type,
            tenant,
            () -> {
              Tags tags = Tags.of(TAG_QUEUE, queue, TAG_TYPE, type);
              return new JobMeters(type, tagTenants ? tags.and(TAG_TENANT, tenant) : tags);
            });
    if (registry != null) {
      register(m);
    }
    return m;
  }

  private EnqueueMeters newEnqueueMeters(String type, String tenant) {
    EnqueueMeters m =
        enqueues.computeIfAbsent(
            type,
            tenant,
            NO_TENANT,
            () -> {
              Tags tags = Tags.of(TAG_TYPE, type);
              return new EnqueueMeters(type, tagTenants ? tags.and(TAG_TENANT, tenant) : tags);
            });
    if (registry != null) {
      register(m);
    }
    return m;
  }

  private synchronized void register(JobMeters m) {
    MeterRegistry r = registry;
    if (r == null || closed || m.bound) {
      return;
    }
    m.bound = true;
    Tags t = m.tags;
    counter(r, JOBS_STARTED, t, m.started, "Attempts started");
    counter(r, JOBS_SUCCEEDED, t, m.succeeded, "Jobs that succeeded");
    counter(r, JOBS_FAILED, t, m.failed, "Jobs that ended FAILED after an attempt");
    counter(r, JOBS_RETRIED, t, m.retried, "Failed attempts that will be retried");
    counter(r, JOBS_CANCELLED, t, m.cancelled, "Jobs cancelled by their handler");
    counter(r, JOBS_SNOOZED, t, m.snoozed, "Jobs snoozed by their handler");
    counter(r, JOBS_THROTTLED, t, m.throttled, "Jobs deferred by a throttle before starting");
    counter(r, JOBS_RELEASED, t, m.released, "Jobs claimed but returned unstarted");
    counter(r, JOBS_LEASE_LOST, t, m.leaseLost, "Attempts whose lease this worker lost");
    m.execution =
        add(
            Timer.builder(JOBS_EXECUTION)
                .description("Handler run time of successful attempts")
                .tags(t)
                .publishPercentileHistogram()
                .maximumExpectedValue(HISTOGRAM_MAX)
                .register(r));
    m.queueWait =
        add(
            Timer.builder(JOBS_QUEUE_WAIT)
                .description("Time from when a job was due to when it started")
                .tags(t)
                .publishPercentileHistogram()
                .maximumExpectedValue(HISTOGRAM_MAX)
                .register(r));
    typeGauges(m.type);
  }

  private synchronized void register(EnqueueMeters m) {
    MeterRegistry r = registry;
    if (r == null || closed || m.bound) {
      return;
    }
    m.bound = true;
    String description = "Enqueues; created=false: an existing job matched the idempotency key";
    counter(r, JOBS_ENQUEUED, m.tags.and(TAG_CREATED, "true"), m.created, description);
    counter(r, JOBS_ENQUEUED, m.tags.and(TAG_CREATED, "false"), m.existing, description);
    typeGauges(m.type);
  }

  /** Called by the health cache with the types of each good snapshot (no lock held). */
  private void typesSeen(Set<String> types) {
    for (String type : types) {
      if (!typesWithGauges.contains(type)) {
        typeGauges(type);
      }
    }
  }

  private synchronized void typeGauges(String type) {
    MeterRegistry r = registry;
    HealthCache h = health;
    if (r == null || h == null || closed || !typesWithGauges.add(type)) {
      return;
    }
    for (JobState state : JobState.values()) {
      add(
          Gauge.builder(JOBS_CURRENT_BY_TYPE, h, c -> c.values().count(type, state))
              .description("Jobs in a state, per type")
              .tags(TAG_TYPE, type, TAG_STATE, stateTag(state))
              .strongReference(true)
              .register(r));
    }
  }

  private void counter(
      MeterRegistry r, String name, Tags tags, LongAdder adder, String description) {
    add(
        FunctionCounter.builder(name, adder, LongAdder::doubleValue)
            .description(description)
            .tags(tags)
            .register(r));
  }

  private <M extends Meter> M add(M meter) {
    registered.add(meter);
    return meter;
  }

  private static String stateTag(JobState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Configures {@link KeelMetrics}. Each option may be set once; setting one twice is an error, as
   * is an out-of-range value.
   */
  public static final class Builder {
    private Duration refreshInterval;
    private Boolean tagTenants;
    private Boolean healthGauges;
    private InstantSource clock;

    private Builder() {}

    private static void once(Object current, String name) {
      if (current != null) {
        throw new KeelConfigurationException(
            "KeelMetrics." + name + " was already set to " + current);
      }
    }

    /**
     * How long the gauges' health snapshot is reused (default {@link #DEFAULT_REFRESH_INTERVAL}, at
     * least 1 ms): one {@code health()} call per interval at most, whatever the number of gauges
     * and scrapes.
     *
     * @throws NullPointerException if null
     * @throws KeelConfigurationException if below 1 ms, or set twice
     */
    public Builder refreshInterval(Duration interval) {
      once(this.refreshInterval, "refreshInterval");
      Objects.requireNonNull(interval, "KeelMetrics.refreshInterval must not be null");
      if (interval.compareTo(Duration.ofMillis(1)) < 0) {
        throw new KeelConfigurationException(
            "KeelMetrics.refreshInterval must be positive (at least 1 ms), was " + interval);
      }
      this.refreshInterval = interval;
      return this;
    }

    /**
     * Whether event meters carry a {@code tenant} tag (default false). Turn it on only when the
     * number of tenants is small and fixed: every tenant multiplies the number of time series.
     * Gauges never carry it (the health snapshot is not split by tenant).
     */
    public Builder tagTenants(boolean tagTenants) {
      once(this.tagTenants, "tagTenants");
      this.tagTenants = tagTenants;
      return this;
    }

    /**
     * Whether to register the health gauges (default true); off, {@link KeelMetrics#bindTo} needs
     * no {@link KeelMetrics#monitor} and only the event meters exist.
     */
    public Builder healthGauges(boolean healthGauges) {
      once(this.healthGauges, "healthGauges");
      this.healthGauges = healthGauges;
      return this;
    }

    /** The clock that paces the gauges' refreshes (default: system). Tests pass a manual clock. */
    public Builder clock(InstantSource clock) {
      once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "KeelMetrics.clock must not be null");
      return this;
    }

    public KeelMetrics build() {
      return new KeelMetrics(this);
    }
  }
}
