package dev.keel.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.queue.HealthThresholds;
import dev.keel.queue.JobListener;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.SampleWriteRequest;
import dev.keel.queue.spi.StatsRequest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keel's operations console for one {@link Keel}: the JSON API and dashboard ({@link #handler()}),
 * the alert evaluator and the backlog sampler. Mount the handler in any server, or start {@link
 * OpsServer} on the JDK's HTTP server. See {@code docs/ops.md}.
 *
 * <pre>{@code
 * OpsConsole console = OpsConsole.builder(keel)
 *     .authenticator(BearerTokenAuthenticator.builder().admin("ops", token).build())
 *     .worker(worker)
 *     .build();
 * OpsServer server = OpsServer.start(console, new InetSocketAddress("127.0.0.1", 8090));
 * }</pre>
 */
public final class OpsConsole implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpsConsole.class);

  /** Defaults: evaluate alerts every 30 s, sample the backlog every minute, keep 48 h of it. */
  public static final Duration DEFAULT_EVALUATION_INTERVAL = Duration.ofSeconds(30);

  public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_SAMPLE_RETENTION = Duration.ofHours(48);
  static final int MAX_SAMPLED_TENANTS = 20;

  private final Keel keel;
  private final java.util.function.BooleanSupplier workerRunning;
  private final java.util.function.Supplier<String> metrics;
  private final String metricsContentType;
  private final OpsAuthenticator authenticator;
  private final AlertService alerts;
  private final TypeDurations durations = new TypeDurations();
  private final JobListener.Registration listening;
  private final ObjectMapper json;
  private final InstantSource clock;
  private final Duration evaluationInterval;
  private final Duration sampleInterval;
  private final Duration sampleRetention;
  private final Set<String> sampledTenants;
  private final HealthThresholds thresholds;
  private final boolean healthRequiresAuth;
  private final boolean secureCookies;
  private final Sessions sessions;
  private final String owner;
  private final OpsHandler handler;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong idCounter = new AtomicLong();
  private final SecureRandom random = new SecureRandom();
  private ScheduledExecutorService timers;

  private OpsConsole(Builder b) {
    this.keel = b.keel;
    this.workerRunning = b.workerRunning;
    this.metrics = b.metrics;
    this.metricsContentType = b.metricsContentType;
    this.authenticator = b.authenticator;
    this.json = new ObjectMapper();
    this.clock = b.clock != null ? b.clock : InstantSource.system();
    this.evaluationInterval = or(b.evaluationInterval, DEFAULT_EVALUATION_INTERVAL);
    this.sampleInterval = or(b.sampleInterval, DEFAULT_SAMPLE_INTERVAL);
    this.sampleRetention = or(b.sampleRetention, DEFAULT_SAMPLE_RETENTION);
    this.thresholds = b.thresholds != null ? b.thresholds : keel.healthThresholds();
    this.healthRequiresAuth = b.healthRequiresAuth;
    this.secureCookies = b.secureCookies;
    this.owner = "ops-" + UUID.randomUUID();
    Set<String> tenants = new TreeSet<>(b.sampledTenants);
    if (authenticator instanceof BearerTokenAuthenticator bt) {
      tenants.addAll(bt.tenants());
    }
    if (tenants.size() > MAX_SAMPLED_TENANTS) {
      throw new IllegalArgumentException(
          "at most "
              + MAX_SAMPLED_TENANTS
              + " tenants get a backlog series of their own, was "
              + tenants.size());
    }
    this.sampledTenants = Set.copyOf(tenants);
    this.sessions = new Sessions(clock, or(b.sessionLifetime, Duration.ofHours(8)), random);
    this.alerts =
        new AlertService(
            keel.backend(),
            b.rules != null ? b.rules : AlertRules.defaults(),
            b.sinks.isEmpty() ? List.of(new LogAlertSink()) : b.sinks,
            clock,
            json,
            owner,
            evaluationInterval.multipliedBy(3),
            or(b.resolvedAlertRetention, Duration.ofDays(30)),
            this::newId);
    this.listening = keel.addListener(durations);
    this.handler = new OpsHandler(this);
  }

  public static Builder builder(Keel keel) {
    return new Builder(keel);
  }

  /** The framework-neutral request handler: the API, the dashboard and the health routes. */
  public OpsHandler handler() {
    return handler;
  }

  /** Stored alerts: list, acknowledge, snooze, resolve, evaluate now. */
  public AlertService alerts() {
    return alerts;
  }

  /** Evaluates the alert rules once now, in the calling thread; see {@link AlertService}. */
  public AlertService.EvaluationReport evaluateAlertsNow() {
    return alerts.evaluate();
  }

  /**
   * Starts the alert evaluator and the backlog sampler on a daemon thread (the first evaluation and
   * sample at once). Idempotent. {@link OpsServer#start} calls it.
   */
  public OpsConsole start() {
    if (closed.get()) {
      throw new IllegalStateException("this console is closed");
    }
    if (!started.compareAndSet(false, true)) {
      return this;
    }
    timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keel-ops");
              t.setDaemon(true);
              return t;
            });
    timers.scheduleWithFixedDelay(
        this::evaluateSafely, 0, evaluationInterval.toMillis(), TimeUnit.MILLISECONDS);
    timers.scheduleWithFixedDelay(
        this::sampleSafely, 0, sampleInterval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Stores one backlog sample now if this node holds the console's lock; false if another node
   * does.
   */
  public boolean sampleNow() {
    if (!keel.backend()
        .lockMaintenance(
            new MaintenanceLockRequest(
                owner, evaluationInterval.multipliedBy(3), AlertService.LOCK))) {
      return false;
    }
    ObjectNode body = json.createObjectNode();
    BackendStats all = keel.backend().stats(new StatsRequest(null, Duration.ofHours(1)));
    body.set("counts", counts(all.countsByState()));
    ObjectNode byTenant = body.putObject("tenants");
    for (String t : new TreeSet<>(sampledTenants)) {
      byTenant.set(
          t,
          counts(keel.backend().stats(new StatsRequest(t, Duration.ofHours(1))).countsByState()));
    }
    keel.backend().writeSample(new SampleWriteRequest(body.toString(), sampleRetention));
    return true;
  }

  private ObjectNode counts(Map<JobState, Long> m) {
    ObjectNode o = json.createObjectNode();
    for (JobState s : JobState.values()) {
      o.put(s.name(), m.getOrDefault(s, 0L));
    }
    return o;
  }

  private void evaluateSafely() {
    try {
      alerts.evaluate();
    } catch (RuntimeException e) {
      log.error("Alert evaluation failed; the next run will try again", e);
    }
  }

  private void sampleSafely() {
    try {
      sampleNow();
    } catch (RuntimeException e) {
      log.warn("Backlog sample failed; the trend has a gap, the next run will try again", e);
    }
  }

  /** Stops the evaluator and sampler and gives the console's lock up. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    listening.close();
    if (timers != null) {
      timers.shutdownNow();
      try {
        if (!timers.awaitTermination(10, TimeUnit.SECONDS)) {
          log.warn("The ops evaluator did not stop within 10 s; leaving it as a daemon thread");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    alerts.unlock();
  }

  // ---- for the handler ------------------------------------------------------------------------

  Keel keel() {
    return keel;
  }

  /** Whether this process's worker runs, or null when the console was told of none. */
  Boolean workerRunning() {
    return workerRunning == null ? null : workerRunning.getAsBoolean();
  }

  java.util.function.Supplier<String> metrics() {
    return metrics;
  }

  String metricsContentType() {
    return metricsContentType;
  }

  OpsAuthenticator authenticator() {
    return authenticator;
  }

  TypeDurations durations() {
    return durations;
  }

  ObjectMapper json() {
    return json;
  }

  InstantSource clock() {
    return clock;
  }

  HealthThresholds thresholds() {
    return thresholds;
  }

  boolean healthRequiresAuth() {
    return healthRequiresAuth;
  }

  boolean secureCookies() {
    return secureCookies;
  }

  Sessions sessions() {
    return sessions;
  }

  Duration sampleRetention() {
    return sampleRetention;
  }

  /** Time-ordered ids (UUID version 7) for alerts, so that id order is creation order. */
  private UUID newId() {
    long ms = clock.millis();
    long seq = idCounter.incrementAndGet() & 0xFFF;
    long msb = (ms << 16) | 0x7000L | seq;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  private static Duration or(Duration d, Duration dflt) {
    return d != null ? d : dflt;
  }

  /** Configures a console. Only the authenticator is required. */
  public static final class Builder {
    private final Keel keel;
    private java.util.function.BooleanSupplier workerRunning;
    private java.util.function.Supplier<String> metrics;
    private String metricsContentType;
    private OpsAuthenticator authenticator;
    private List<AlertRule> rules;
    private final List<AlertSink> sinks = new ArrayList<>();
    private InstantSource clock;
    private Duration evaluationInterval;
    private Duration sampleInterval;
    private Duration sampleRetention;
    private Duration sessionLifetime;
    private Duration resolvedAlertRetention;
    private final Set<String> sampledTenants = new TreeSet<>();
    private HealthThresholds thresholds;
    private boolean healthRequiresAuth;
    private boolean secureCookies;

    private Builder(Keel keel) {
      this.keel = Objects.requireNonNull(keel, "keel");
    }

    /** Required: who may call the console. */
    public Builder authenticator(OpsAuthenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /** The worker of this process, for {@code /health/ready}; without one it is not checked. */
    public Builder worker(Worker worker) {
      Objects.requireNonNull(worker, "worker");
      return workerStatus(worker::isRunning);
    }

    /**
     * {@link #worker} for a worker the console cannot hold (one a framework starts later): {@code
     * running} says whether it runs now.
     */
    public Builder workerStatus(java.util.function.BooleanSupplier running) {
      this.workerRunning = Objects.requireNonNull(running, "running");
      return this;
    }

    /**
     * Serve {@code GET metrics} from {@code scrape} (e.g. a Prometheus registry's {@code scrape}),
     * with the given content type (Prometheus text: {@code text/plain; version=0.0.4;
     * charset=utf-8}). Like the health routes, it needs no principal unless {@link
     * #healthRequiresAuth}.
     */
    public Builder metrics(java.util.function.Supplier<String> scrape, String contentType) {
      this.metrics = Objects.requireNonNull(scrape, "scrape");
      this.metricsContentType = Objects.requireNonNull(contentType, "contentType");
      return this;
    }

    /** The alert rules; default {@link AlertRules#defaults()}. An empty list turns alerts off. */
    public Builder alerts(List<AlertRule> rules) {
      List<AlertRule> copy = List.copyOf(rules);
      Set<String> names = new java.util.HashSet<>();
      for (AlertRule r : copy) {
        if (r.name() == null || !r.name().matches("[a-z][a-z0-9-]{0,59}")) {
          throw new IllegalArgumentException(
              "alert rule name must be lower-case letters, digits and '-', at most 60: "
                  + r.name());
        }
        if (!names.add(r.name())) {
          throw new IllegalArgumentException("alert rule " + r.name() + " given twice");
        }
      }
      this.rules = copy;
      return this;
    }

    /** Where notifications go; may be called several times. Default: a {@link LogAlertSink}. */
    public Builder alertSink(AlertSink sink) {
      sinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder evaluationInterval(Duration interval) {
      this.evaluationInterval = positive("evaluationInterval", interval, Duration.ofMillis(100));
      return this;
    }

    public Builder sampleInterval(Duration interval) {
      this.sampleInterval = positive("sampleInterval", interval, Duration.ofMillis(100));
      return this;
    }

    /** How long backlog samples are kept (default 48 h, at most 7 days). */
    public Builder sampleRetention(Duration retention) {
      this.sampleRetention = positive("sampleRetention", retention, Duration.ofMinutes(1));
      if (retention.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException("sampleRetention must be at most 7 days: " + retention);
      }
      return this;
    }

    /** How long a dashboard session lasts (default 8 h). */
    public Builder sessionLifetime(Duration lifetime) {
      this.sessionLifetime = positive("sessionLifetime", lifetime, Duration.ofMinutes(1));
      return this;
    }

    /** How long RESOLVED alerts are kept (default 30 days). */
    public Builder resolvedAlertRetention(Duration retention) {
      this.resolvedAlertRetention = positive("resolvedAlertRetention", retention, Duration.ZERO);
      return this;
    }

    /** Tenants that get a backlog series of their own besides the operators' tenants. */
    public Builder sampleTenants(String... tenants) {
      sampledTenants.addAll(List.of(tenants));
      return this;
    }

    /** The verdict thresholds of the overview; default those of the {@code Keel}. */
    public Builder healthThresholds(HealthThresholds thresholds) {
      this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
      return this;
    }

    /** Ask for a principal on {@code /health/live} and {@code /health/ready} too (default no). */
    public Builder healthRequiresAuth(boolean required) {
      this.healthRequiresAuth = required;
      return this;
    }

    /**
     * Mark the session cookie {@code Secure} even when the request arrived over plain HTTP (behind
     * a TLS-terminating proxy). Requests the adapter knows came over TLS get it anyway.
     */
    public Builder secureCookies(boolean secure) {
      this.secureCookies = secure;
      return this;
    }

    public OpsConsole build() {
      if (authenticator == null) {
        throw new IllegalArgumentException(
            "authenticator is required: e.g."
                + " BearerTokenAuthenticator.builder().admin(\"ops\", token).build()");
      }
      if (!keel.backend().capabilities().opsData()) {
        throw new IllegalArgumentException(
            "the "
                + keel.backend().capabilities().name()
                + " backend does not store alerts and backlog samples (BackendCapabilities.opsData"
                + " is false): use the inline, postgres or redis backend");
      }
      return new OpsConsole(this);
    }

    private static Duration positive(String name, Duration d, Duration min) {
      Objects.requireNonNull(d, name);
      if (d.compareTo(min) < 0 || d.isNegative() || (d.isZero() && !min.isZero())) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", was " + d);
      }
      return d;
    }
  }
}
