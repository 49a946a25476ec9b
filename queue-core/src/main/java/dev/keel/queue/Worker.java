package dev.keel.queue;

import dev.keel.queue.internal.KeelRuntime;
import dev.keel.queue.internal.WorkerConfig;
import dev.keel.queue.internal.WorkerEngine;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Claims and runs jobs of the registered types: per-queue concurrency, batched claims sized to free
 * capacity, one heartbeat call per interval for all leases, coalesced result writes, timeouts that
 * interrupt handlers, wake-ups from the backend with polling as the safety net, and maintenance on
 * a timer.
 *
 * <p>{@link #start()} and {@link #close()} are idempotent. Close stops claiming, releases claimed
 * jobs that never started (no attempt used), waits up to the grace period for running handlers,
 * interrupts the rest and stores every result it has.
 */
public final class Worker implements AutoCloseable {
  private enum State {
    NEW,
    RUNNING,
    STOPPED
  }

  private final WorkerEngine engine;
  private final WorkerConfig config;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

  private Worker(WorkerEngine engine, WorkerConfig config) {
    this.engine = engine;
    this.config = config;
  }

  /** Starts claiming. Calling it again does nothing; after close it is an error. */
  public Worker start() {
    if (state.compareAndSet(State.NEW, State.RUNNING)) {
      engine.start();
    } else if (state.get() == State.STOPPED) {
      throw new IllegalStateException("worker " + config.id() + " was closed; build a new one");
    }
    return this;
  }

  public String id() {
    return config.id();
  }

  public boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  /** Jobs claimed by this worker whose results are not stored yet. */
  public int activeJobs() {
    return engine.activeJobs();
  }

  /** Graceful, bounded shutdown (see the class comment). Idempotent. */
  @Override
  public void close() {
    State previous = state.getAndSet(State.STOPPED);
    if (previous != State.RUNNING) {
      return;
    }
    try {
      engine.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeelException("interrupted while stopping worker " + config.id(), e);
    }
  }

  /**
   * Configures a worker. Defaults: queue {@code default} with concurrency 8 when no queue is named,
   * adaptive prefetch (see {@link #prefetch}), lease 30 s, heartbeat every lease/3, poll every 1 s,
   * shutdown grace 30 s, platform threads, maintenance every 10 s.
   */
  public static final class Builder {
    private final KeelRuntime runtime;
    private final Map<String, Integer> queues = new LinkedHashMap<>();
    private String id;
    private Integer prefetch;
    private Set<String> includeTypes;
    private Set<String> excludeTypes;
    private String tenant;
    private Duration leaseDuration;
    private Duration heartbeatInterval;
    private Duration pollInterval;
    private Duration shutdownGrace;
    private Boolean virtualThreads;
    private ExecutorService executor;
    private Boolean maintenance;
    private Duration maintenanceInterval;
    private Boolean schedules;
    private final Map<String, Integer> typeConcurrency = new LinkedHashMap<>();
    private final Map<String, Integer> typeQuota = new LinkedHashMap<>();
    private final Map<String, Integer> priorityClass = new LinkedHashMap<>();

    Builder(KeelRuntime runtime) {
      this.runtime = runtime;
    }

    private static void once(Object current, String name) {
      if (current != null) {
        throw new KeelConfigurationException("worker." + name + " was already set to " + current);
      }
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new KeelConfigurationException("worker." + name + " must be positive, was " + d);
      }
      return d;
    }

    /** Claim from {@code queue} and run up to {@code concurrency} of its jobs at once. */
    public Builder queue(String queue, int concurrency) {
      try {
        dev.keel.queue.internal.JobPreparer.name("queue", queue);
      } catch (InvalidJobException e) {
        throw new KeelConfigurationException("worker." + e.getMessage());
      }
      if (queues.containsKey(queue)) {
        throw new KeelConfigurationException(
            "worker.queue '" + queue + "' was already set to " + queues.get(queue));
      }
      if (concurrency < 1 || concurrency > 10_000) {
        throw new KeelConfigurationException(
            "worker.concurrency of queue '"
                + queue
                + "' must be between 1 and 10000, was "
                + concurrency);
      }
      queues.put(queue, concurrency);
      return this;
    }

    /** Worker id stored as lease owner (default: host-pid-random). */
    public Builder id(String id) {
      once(this.id, "id");
      if (id == null || id.isBlank() || id.length() > 200) {
        throw new KeelConfigurationException("worker.id must be 1 to 200 non-blank characters");
      }
      this.id = id;
      return this;
    }

    /**
     * Extra jobs claimed per queue beyond its concurrency, to hide claim latency. By default it
     * adapts to handler speed: about 50 ms of work per handler slot, at most 512 jobs or the
     * backend's preferred claim size if smaller (PostgreSQL states none; Redis: 128, its claim
     * scripts block the server while they run), so very fast handlers are fed by claims of hundreds
     * of jobs per round trip; none for handlers that take seconds (so their jobs stay free for idle
     * workers elsewhere); and the concurrency (within the same bound) until the first job has run.
     */
    public Builder prefetch(int prefetch) {
      once(this.prefetch, "prefetch");
      if (prefetch < 0 || prefetch > 10_000) {
        throw new KeelConfigurationException(
            "worker.prefetch must be between 0 and 10000, was " + prefetch);
      }
      this.prefetch = prefetch;
      return this;
    }

    /** Only these of the registered types (default: all registered types). */
    public Builder types(String... types) {
      once(this.includeTypes, "types");
      this.includeTypes = Set.of(types);
      for (String t : includeTypes) {
        if (!runtime.types().containsKey(t)) {
          throw new KeelConfigurationException(
              "worker.types: no handler is registered for type '" + t + "'");
        }
      }
      return this;
    }

    /** Never these types. */
    public Builder excludeTypes(String... types) {
      once(this.excludeTypes, "excludeTypes");
      this.excludeTypes = Set.of(types);
      return this;
    }

    /** Only jobs of this tenant (default: every tenant). */
    public Builder tenant(String tenant) {
      once(this.tenant, "tenant");
      try {
        this.tenant = dev.keel.queue.internal.JobPreparer.name("tenant", tenant);
      } catch (InvalidJobException e) {
        throw new KeelConfigurationException("worker." + e.getMessage());
      }
      return this;
    }

    public Builder leaseDuration(Duration lease) {
      once(this.leaseDuration, "leaseDuration");
      this.leaseDuration = positive("leaseDuration", lease);
      return this;
    }

    /** How often leases are renewed (default lease/3); must be shorter than the lease. */
    public Builder heartbeatInterval(Duration interval) {
      once(this.heartbeatInterval, "heartbeatInterval");
      this.heartbeatInterval = positive("heartbeatInterval", interval);
      return this;
    }

    /** How often to look for jobs when no wake-up signal arrives (default 1 s). */
    public Builder pollInterval(Duration interval) {
      once(this.pollInterval, "pollInterval");
      this.pollInterval = positive("pollInterval", interval);
      return this;
    }

    /** How long close() waits for running handlers before interrupting them (default 30 s). */
    public Builder shutdownGrace(Duration grace) {
      once(this.shutdownGrace, "shutdownGrace");
      Objects.requireNonNull(grace, "shutdownGrace");
      if (grace.isNegative()) {
        throw new KeelConfigurationException(
            "worker.shutdownGrace must not be negative, was " + grace);
      }
      this.shutdownGrace = grace;
      return this;
    }

    /** Run handlers on virtual threads (Java 21+; an error on older JVMs). */
    public Builder virtualThreads(boolean enabled) {
      once(this.virtualThreads, "virtualThreads");
      if (enabled && !dev.keel.queue.internal.VirtualThreads.available()) {
        throw new KeelConfigurationException(
            "worker.virtualThreads needs Java 21 or newer; this JVM is " + Runtime.version());
      }
      this.virtualThreads = enabled;
      return this;
    }

    /** Run handlers on this executor (not shut down by the worker). */
    public Builder executor(ExecutorService executor) {
      once(this.executor, "executor");
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Run rescue and pruning on a timer from this worker (default true, every 10 s). */
    public Builder maintenance(boolean enabled) {
      once(this.maintenance, "maintenance");
      this.maintenance = enabled;
      return this;
    }

    /**
     * Fire due recurring schedules from this worker (default true when the backend stores
     * schedules). One scheduler loop runs per {@code Keel} however many of its workers have this
     * on; any number of nodes may run one, each fire time still creates exactly one job.
     */
    public Builder schedules(boolean enabled) {
      once(this.schedules, "schedules");
      this.schedules = enabled;
      return this;
    }

    public Builder maintenanceInterval(Duration interval) {
      once(this.maintenanceInterval, "maintenanceInterval");
      this.maintenanceInterval = positive("maintenanceInterval", interval);
      return this;
    }

    /**
     * At most {@code max} jobs of {@code type} run (or wait, prefetched) in this worker at once.
     */
    public Builder typeConcurrency(String type, int max) {
      perType(typeConcurrency, "typeConcurrency", type, max, 1);
      return this;
    }

    /**
     * At most {@code maxPerRound} jobs of {@code type} per claim round while other types of its
     * priority class have work, so a busy type (say, e-mail) cannot starve the others. Capacity
     * nobody else wants still goes to it.
     */
    public Builder typeQuota(String type, int maxPerRound) {
      perType(typeQuota, "typeQuota", type, maxPerRound, 1);
      return this;
    }

    /**
     * Claim jobs of {@code type} in priority class {@code priorityClass} (default 0): every round
     * claims the lower classes first, so maintenance types can go ahead of bulk types whatever
     * their job priorities.
     */
    public Builder priorityClass(String type, int priorityClass) {
      perType(this.priorityClass, "priorityClass", type, priorityClass, Integer.MIN_VALUE);
      return this;
    }

    private void perType(Map<String, Integer> map, String option, String type, int value, int min) {
      if (!runtime.types().containsKey(type)) {
        throw new KeelConfigurationException(
            "worker." + option + ": no handler is registered for type '" + type + "'");
      }
      if (map.containsKey(type)) {
        throw new KeelConfigurationException(
            "worker." + option + " of '" + type + "' was already set to " + map.get(type));
      }
      if (value < min || value > 100_000) {
        throw new KeelConfigurationException(
            "worker."
                + option
                + " of '"
                + type
                + "' must be between "
                + min
                + " and 100000, was "
                + value);
      }
      map.put(type, value);
    }

    public Worker build() {
      if (runtime.types().keySet().stream()
          .allMatch(dev.keel.queue.internal.ChildJobs.TYPE::equals)) {
        throw new KeelConfigurationException(
            "a worker needs at least one registered job type: Keel.builder().register(...)");
      }
      if (Boolean.TRUE.equals(virtualThreads) && executor != null) {
        throw new KeelConfigurationException(
            "worker.virtualThreads and worker.executor are exclusive");
      }
      Map<String, Integer> q = queues.isEmpty() ? Map.of("default", 8) : Map.copyOf(queues);
      Duration lease = leaseDuration != null ? leaseDuration : Keel.DEFAULT_LEASE;
      Duration heartbeat = heartbeatInterval != null ? heartbeatInterval : lease.dividedBy(3);
      if (heartbeat.compareTo(lease) >= 0) {
        throw new KeelConfigurationException(
            "worker.heartbeatInterval ("
                + heartbeat
                + ") must be shorter than leaseDuration ("
                + lease
                + ")");
      }
      String workerId = id != null ? id : defaultId();
      int pre = prefetch != null ? prefetch : -1;
      WorkerConfig cfg =
          new WorkerConfig(
              workerId,
              new LinkedHashMap<>(q),
              pre,
              includeTypes != null ? includeTypes : Set.of(),
              excludeTypes != null ? excludeTypes : Set.of(),
              tenant,
              lease,
              heartbeat,
              pollInterval != null ? pollInterval : Duration.ofSeconds(1),
              shutdownGrace != null ? shutdownGrace : Duration.ofSeconds(30),
              Boolean.TRUE.equals(virtualThreads),
              executor,
              maintenance == null || maintenance,
              maintenanceInterval != null ? maintenanceInterval : Duration.ofSeconds(10),
              Map.copyOf(typeConcurrency),
              Map.copyOf(typeQuota),
              Map.copyOf(priorityClass),
              schedules == null || schedules);
      return new Worker(new WorkerEngine(runtime, cfg), cfg);
    }

    private static String defaultId() {
      String jvm = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
      return jvm + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
  }
}
