package dev.keel.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.queue.internal.BlockedJobs;
import dev.keel.queue.internal.CanonicalJson;
import dev.keel.queue.internal.ChildJobs;
import dev.keel.queue.internal.Drainer;
import dev.keel.queue.internal.DurationRecorder;
import dev.keel.queue.internal.EnvironmentBackends;
import dev.keel.queue.internal.FencedLocks;
import dev.keel.queue.internal.HealthService;
import dev.keel.queue.internal.JobExecution;
import dev.keel.queue.internal.JobIds;
import dev.keel.queue.internal.JobPreparer;
import dev.keel.queue.internal.KeelRuntime;
import dev.keel.queue.internal.Listeners;
import dev.keel.queue.internal.MaintenanceRunner;
import dev.keel.queue.internal.RecurringScheduler;
import dev.keel.queue.internal.ScheduleService;
import dev.keel.queue.recurring.Schedule;
import dev.keel.queue.recurring.Schedules;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: one backend, the registered job types, and everything built on them — the {@link
 * #client() client}, {@link #worker() workers}, {@link #drain drain}, {@link #health() health} and
 * {@link #maintenance maintenance}. Thread-safe; build one per application.
 *
 * <pre>{@code
 * Keel keel = Keel.builder()
 *     .backend(InlineBackend.create())            // or Keel.builder().fromEnvironment()
 *     .register(JobType.of("email.send", Email.class, JobHandler.of(mailer::send)))
 *     .build();
 * keel.client().enqueue(JobRequest.of("email.send", new Email("a@example.com")));
 * try (Worker worker = keel.worker().queue("default", 8).build().start()) { ... }
 * }</pre>
 *
 * <p>Closing Keel closes the backend.
 */
public final class Keel implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Keel.class);

  /** Default lease: 30 s, renewed every 10 s. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /**
   * Longest sleep of the scheduler between two looks at the schedules when no fire time is nearer:
   * how soon it sees a schedule another node declared or resumed.
   */
  public static final Duration DEFAULT_SCHEDULE_CHECK_INTERVAL = Duration.ofSeconds(30);

  private final QueueBackend backend;
  private final KeelRuntime runtime;
  private final JobClient client;
  private final HealthService health;
  private final Drainer drainer;
  private final Listeners listeners;
  private final HealthThresholds thresholds;
  private final java.util.Set<String> typeNames;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Locks locks;

  private Keel(Builder b) {
    this.backend = b.backend;
    InstantSource clock = b.clock != null ? b.clock : InstantSource.system();
    ObjectMapper mapper =
        b.objectMapper != null ? b.objectMapper : new ObjectMapper().findAndRegisterModules();
    CanonicalJson json = new CanonicalJson(mapper);
    Map<String, JobType<?>> registered = new LinkedHashMap<>(b.types);
    if (backend.capabilities().steps() && backend.capabilities().coordination()) {
      // The callback of ctx.children batches: every node runs it, whatever types it registers.
      registered.putIfAbsent(ChildJobs.TYPE, ChildJobs.type(backend));
    }
    Map<String, JobType<?>> types = Collections.unmodifiableMap(registered);
    Listeners listeners = new Listeners(b.listeners);
    this.listeners = listeners;
    this.thresholds = b.thresholds != null ? b.thresholds : HealthThresholds.DEFAULT;
    this.typeNames = java.util.Set.copyOf(b.types.keySet());
    TracePropagator tracing = b.tracing != null ? b.tracing : TracePropagator.mdc();
    DurationRecorder durations = new DurationRecorder();
    long maxPayload =
        b.maxPayloadBytes != null ? b.maxPayloadBytes : Limits.DEFAULT_MAX_PAYLOAD_BYTES;
    JobIds ids = new JobIds(clock);
    JobPreparer preparer =
        new JobPreparer(
            json, ids, maxPayload, types, tracing, () -> backend.capabilities().coordination());
    // Checked before any thread starts: a bad template fails build() with nothing running.
    ScheduleService schedules =
        new ScheduleService(
            backend, preparer, ids, listeners, b.schedules.values(), b.pruneUndeclaredSchedules);
    ScheduledExecutorService timers =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "keel-timers");
              t.setDaemon(true);
              return t;
            });
    Retention retention = b.retention != null ? b.retention : Retention.DEFAULT;
    BlockedJobs blocked = new BlockedJobs(backend);
    MaintenanceRunner maintenance =
        new MaintenanceRunner(backend, retention, Duration.ofMinutes(1), listeners, blocked);
    this.client = new JobClient(backend, preparer, json, listeners, blocked);
    JobExecution execution =
        new JobExecution(
            backend, client, json, clock, timers, tracing, listeners, durations, b.throttle);
    this.runtime =
        new KeelRuntime(
            backend,
            clock,
            types,
            execution,
            listeners,
            timers,
            maintenance,
            schedules,
            new RecurringScheduler(
                schedules,
                b.scheduleCheckInterval != null
                    ? b.scheduleCheckInterval
                    : DEFAULT_SCHEDULE_CHECK_INTERVAL),
            blocked);
    this.locks = new FencedLocks(backend, timers);
    this.health = new HealthService(backend, clock, thresholds, durations);
    this.drainer = new Drainer(runtime, DEFAULT_LEASE);
    log.info(
        "Keel ready: backend={} types={} maxPayloadBytes={} retention={} schedules={}",
        backend.capabilities().name(),
        b.types.keySet(),
        maxPayload,
        retention,
        b.schedules.keySet());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Keel on the backend the process environment names ({@code KEEL_BACKEND} and its URL), failing
   * fast if it does not answer. See {@link Builder#fromEnvironment(Map, StartupMode)}.
   */
  public static Keel fromEnvironment() {
    return builder().fromEnvironment(System.getenv(), StartupMode.FAIL_FAST).build();
  }

  /** Create and inspect jobs. */
  public JobClient client() {
    return client;
  }

  /** A builder for a worker that runs this Keel's registered job types. */
  public Worker.Builder worker() {
    return new Worker.Builder(runtime);
  }

  /**
   * Runs up to {@code options.maxJobs()} due jobs, one at a time, in the calling thread, within the
   * budget: the same claim, lease and outcome handling as a worker.
   *
   * @throws InvalidJobException an option names a type without a handler, or a bad tenant
   */
  public DrainReport drain(DrainOptions options) {
    return drainer.drain(Objects.requireNonNull(options, "options"));
  }

  /** {@link #drain} with {@link DrainOptions#defaults()}. */
  public DrainReport drain() {
    return drain(DrainOptions.defaults());
  }

  /**
   * Adds a listener to this running Keel (for integrations built after it, such as the operations
   * console); {@link Builder#listener} is the usual way. Closing the registration removes it.
   */
  public JobListener.Registration addListener(JobListener listener) {
    Runnable remove = listeners.add(Objects.requireNonNull(listener, "listener"));
    return remove::run;
  }

  /**
   * Cluster-wide fenced locks on this Keel's backend; see {@link Locks}. Locks are renewed on
   * Keel's timer thread, so they stop being renewed (and run out) when this Keel is closed.
   *
   * @throws UnsupportedOperationException if the backend does not keep locks ({@code
   *     BackendCapabilities.coordination})
   * @throws IllegalStateException if this Keel is closed
   */
  public Locks locks() {
    if (closed.get()) {
      throw new IllegalStateException("this Keel is closed: its locks could not be renewed");
    }
    if (!backend.capabilities().coordination()) {
      throw new UnsupportedOperationException(
          "the " + backend.capabilities().name() + " backend does not keep fenced locks");
    }
    return locks;
  }

  /**
   * The names of the job types registered with handlers. Keel's own types (the children-step
   * callback {@code keel.children}) are not listed; {@link #handles} answers for them too.
   */
  public java.util.Set<String> types() {
    return typeNames;
  }

  /** Whether this node's workers run jobs of {@code type}: a registered type or one of Keel's. */
  public boolean handles(String type) {
    return runtime.types().containsKey(type);
  }

  /** The thresholds {@link #health()} judges by. */
  public HealthThresholds healthThresholds() {
    return thresholds;
  }

  /** A health snapshot; never throws for an unreachable backend (it reports it). */
  public HealthSnapshot health() {
    return health.snapshot();
  }

  /**
   * Runs maintenance once now (rescue of expired leases, pruning), if this node gets the
   * maintenance lock. Workers do this on a timer; call it from a scheduler when no worker runs.
   */
  public MaintenanceReport maintenance(String owner) {
    if (owner == null || owner.isBlank()) {
      throw new InvalidJobException("maintenance.owner", "must not be blank");
    }
    return runtime.maintenance().runOnce(owner);
  }

  /**
   * The recurring schedules stored in the backend, shared by every node: declare, pause, resume,
   * list, trigger, fire. Schedules given to {@link Builder#schedule} are written on first use.
   *
   * @throws UnsupportedOperationException (on each call) if the backend does not store schedules
   */
  public Schedules schedules() {
    return runtime.schedules();
  }

  /** The backend, for backend-specific operations (for example transactional enqueue). */
  public QueueBackend backend() {
    return backend;
  }

  /** Closes the backend. Stop workers first. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      runtime.scheduler().shutdown();
      runtime.timers().shutdownNow();
      runtime.blocked().close();
      backend.close();
    }
  }

  /**
   * Configures a {@link Keel}. Each option may be set once; setting one twice is an error, as is an
   * out-of-range value (nothing is silently corrected).
   */
  public static final class Builder {
    private QueueBackend backend;
    private Map<String, String> environment;
    private StartupMode startupMode;
    private InstantSource clock;
    private ObjectMapper objectMapper;
    private Long maxPayloadBytes;
    private final Map<String, JobType<?>> types = new LinkedHashMap<>();
    private final List<JobListener> listeners = new ArrayList<>();
    private TracePropagator tracing;
    private HealthThresholds thresholds;
    private Retention retention;
    private JobThrottle throttle;
    private final Map<String, Schedule> schedules = new LinkedHashMap<>();
    private boolean pruneUndeclaredSchedules;
    private Boolean pruneSet;
    private Duration scheduleCheckInterval;

    private Builder() {}

    private static void once(Object current, String name) {
      if (current != null) {
        throw new KeelConfigurationException(name + " was already set to " + current);
      }
    }

    /** The backend to use; Keel closes it on {@link Keel#close()}. */
    public Builder backend(QueueBackend backend) {
      once(this.backend, "backend");
      once(this.environment, "backend (fromEnvironment)");
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * The backend the environment names: {@code KEEL_BACKEND} (or {@code JOB_QUEUE_BACKEND}; {@code
     * rq} means redis) and its URL variable. Nothing set: the inline backend with a WARN that jobs
     * live in memory only. A durable backend without its URL: {@link KeelConfigurationException}
     * naming the missing variable. Unreachable: {@link BackendUnavailableException}, or with {@link
     * StartupMode#DEGRADED} a backend that reconnects in the background.
     */
    public Builder fromEnvironment(Map<String, String> environment, StartupMode mode) {
      once(this.backend, "backend");
      once(this.environment, "fromEnvironment");
      this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
      this.startupMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Core's clock (default: system). Tests pass a manual clock, shared with the inline backend.
     */
    public Builder clock(InstantSource clock) {
      once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The mapper for payloads (default: a new ObjectMapper with modules found on the classpath).
     */
    public Builder objectMapper(ObjectMapper mapper) {
      once(this.objectMapper, "objectMapper");
      this.objectMapper = Objects.requireNonNull(mapper, "objectMapper");
      return this;
    }

    /** Largest payload accepted, in bytes of UTF-8 JSON (default 1 MiB, at most 64 MiB). */
    public Builder maxPayloadBytes(long bytes) {
      once(this.maxPayloadBytes, "maxPayloadBytes");
      if (bytes < 2 || bytes > 64L * 1024 * 1024) {
        throw new KeelConfigurationException(
            "maxPayloadBytes must be between 2 and 67108864, was " + bytes);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /** Registers a job type with its handler and defaults; each type once. */
    public Builder register(JobType<?> type) {
      Objects.requireNonNull(type, "type");
      if (types.containsKey(type.name())) {
        throw new KeelConfigurationException(
            "job type '" + type.name() + "' was already registered");
      }
      types.put(type.name(), type);
      return this;
    }

    /** Shorthand for {@code register(JobType.of(name, payloadType, handler))}. */
    public <T> Builder register(String name, Class<T> payloadType, JobHandler<T> handler) {
      return register(JobType.of(name, payloadType, handler));
    }

    public Builder listener(JobListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public Builder tracePropagator(TracePropagator tracing) {
      once(this.tracing, "tracePropagator");
      this.tracing = Objects.requireNonNull(tracing, "tracePropagator");
      return this;
    }

    public Builder healthThresholds(HealthThresholds thresholds) {
      once(this.thresholds, "healthThresholds");
      this.thresholds = Objects.requireNonNull(thresholds, "healthThresholds");
      return this;
    }

    /** Consulted before each job runs; see {@link JobThrottle}. */
    public Builder throttle(JobThrottle throttle) {
      once(this.throttle, "throttle");
      this.throttle = Objects.requireNonNull(throttle, "throttle");
      return this;
    }

    public Builder retention(Retention retention) {
      once(this.retention, "retention");
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /**
     * Declares a recurring schedule. It is stored in the backend (upsert by name) when this Keel
     * first needs it — its first worker start or first {@link Keel#schedules()} call — so a new
     * deploy that changes the declaration updates what every node fires.
     *
     * @throws KeelConfigurationException a schedule with that name was already declared
     */
    public Builder schedule(Schedule schedule) {
      Objects.requireNonNull(schedule, "schedule");
      if (schedules.containsKey(schedule.name())) {
        throw new KeelConfigurationException(
            "schedule '" + schedule.name() + "' declared twice: schedule names must be unique");
      }
      schedules.put(schedule.name(), schedule);
      return this;
    }

    /**
     * When this Keel stores its declared schedules, also delete every stored schedule it does not
     * declare (default false: they are kept, and listed, until {@code schedules().remove(name)}).
     * Turn it on only where every node declares the same schedules: during a rolling deploy a node
     * of the old version would otherwise delete the new version's schedules, and the other way
     * round, until the deploy completes.
     */
    public Builder pruneUndeclaredSchedules(boolean prune) {
      once(this.pruneSet, "pruneUndeclaredSchedules");
      this.pruneSet = prune;
      this.pruneUndeclaredSchedules = prune;
      return this;
    }

    /**
     * Longest sleep of the workers' scheduler when no fire time is nearer (default {@link
     * Keel#DEFAULT_SCHEDULE_CHECK_INTERVAL}, 10 ms to 1 hour).
     */
    public Builder scheduleCheckInterval(Duration interval) {
      once(this.scheduleCheckInterval, "scheduleCheckInterval");
      Objects.requireNonNull(interval, "scheduleCheckInterval");
      if (interval.compareTo(Duration.ofMillis(10)) < 0
          || interval.compareTo(Duration.ofHours(1)) > 0) {
        throw new KeelConfigurationException(
            "scheduleCheckInterval must be between 10 ms and 1 hour, was " + interval);
      }
      this.scheduleCheckInterval = interval;
      return this;
    }

    /**
     * @throws KeelConfigurationException if no backend was given, or schedules are declared on a
     *     backend that does not store them
     * @throws dev.keel.queue.recurring.InvalidScheduleException a declared schedule's job breaks a
     *     job rule ({@code schedule.job.<field>})
     */
    public Keel build() {
      if (environment != null) {
        backend =
            EnvironmentBackends.open(
                environment, startupMode, clock != null ? clock : InstantSource.system());
      }
      if (backend == null) {
        throw new KeelConfigurationException(
            "no backend: call backend(...) or fromEnvironment(...) on Keel.builder()");
      }
      try {
        if ((!schedules.isEmpty() || pruneUndeclaredSchedules)
            && !backend.capabilities().schedules()) {
          throw new KeelConfigurationException(
              "schedules declared, but the "
                  + backend.capabilities().name()
                  + " backend does not store recurring schedules");
        }
        for (JobType<?> type : types.values()) {
          if (type.concurrency() != null && !backend.capabilities().coordination()) {
            throw new KeelConfigurationException(
                "job type "
                    + type.name()
                    + " has a concurrency rule, but the "
                    + backend.capabilities().name()
                    + " backend does not enforce concurrency keys");
          }
        }
        return new Keel(this);
      } catch (RuntimeException e) {
        if (environment != null) {
          // This builder opened the backend: nobody else can close it.
          backend.close();
        }
        throw e;
      }
    }
  }
}
