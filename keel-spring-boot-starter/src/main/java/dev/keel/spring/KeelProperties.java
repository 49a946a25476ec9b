package dev.keel.spring;

import dev.keel.queue.StartupMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** The {@code keel.*} properties. Unset values keep Keel's own defaults. */
@ConfigurationProperties("keel")
public class KeelProperties {

  /** Which backend stores the jobs. */
  public enum Backend {
    /**
     * PostgreSQL on the application's DataSource when there is one (or keel.postgres.url is set),
     * else Redis when keel.redis.url is set, else inline with a warning that jobs live in memory.
     */
    AUTO,
    /** In memory, in this process: for tests and local development. */
    INLINE,
    POSTGRES,
    REDIS
  }

  /** When the worker starts. */
  public enum WorkerStart {
    /** Once the application is ready (after ApplicationReadyEvent). */
    ON_READY,
    /** Never by itself: the application starts workers from the Keel bean. */
    MANUAL
  }

  /** Which backend stores the jobs. */
  private Backend backend = Backend.AUTO;

  /** What to do when the backend does not answer at start. */
  private StartupMode startupMode = StartupMode.FAIL_FAST;

  /** Largest payload in bytes (serialized JSON); unset keeps Keel's default. */
  private Long maxPayloadBytes;

  /** How often workers look for due recurring schedules; unset keeps Keel's default (30s). */
  private Duration scheduleCheckInterval;

  /** Delete stored schedules this application does not declare. */
  private boolean pruneUndeclaredSchedules = false;

  private final Postgres postgres = new Postgres();
  private final Redis redis = new Redis();
  private final Worker worker = new Worker();
  private final Retention retention = new Retention();
  private final Metrics metrics = new Metrics();
  private final Tracing tracing = new Tracing();

  /** Recurring schedules by name. */
  private Map<String, ScheduleProperties> schedules = new LinkedHashMap<>();

  public Backend getBackend() {
    return backend;
  }

  public void setBackend(Backend backend) {
    this.backend = backend;
  }

  public StartupMode getStartupMode() {
    return startupMode;
  }

  public void setStartupMode(StartupMode startupMode) {
    this.startupMode = startupMode;
  }

  public Long getMaxPayloadBytes() {
    return maxPayloadBytes;
  }

  public void setMaxPayloadBytes(Long maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  public Duration getScheduleCheckInterval() {
    return scheduleCheckInterval;
  }

  public void setScheduleCheckInterval(Duration scheduleCheckInterval) {
    this.scheduleCheckInterval = scheduleCheckInterval;
  }

  public boolean isPruneUndeclaredSchedules() {
    return pruneUndeclaredSchedules;
  }

  public void setPruneUndeclaredSchedules(boolean pruneUndeclaredSchedules) {
    this.pruneUndeclaredSchedules = pruneUndeclaredSchedules;
  }

  public Postgres getPostgres() {
    return postgres;
  }

  public Redis getRedis() {
    return redis;
  }

  public Worker getWorker() {
    return worker;
  }

  public Retention getRetention() {
    return retention;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public Tracing getTracing() {
    return tracing;
  }

  /** {@code keel.metrics.*}: Micrometer meters (with keel-micrometer and a MeterRegistry). */
  public static class Metrics {
    /** Publish Keel's meters. */
    private boolean enabled = true;

    /** How often the gauges read the backend's counts at most (default 10s). */
    private Duration refreshInterval;

    /** Tag meters with the tenant (unbounded tag values: only with few tenants). */
    private boolean tagTenants = false;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getRefreshInterval() {
      return refreshInterval;
    }

    public void setRefreshInterval(Duration refreshInterval) {
      this.refreshInterval = refreshInterval;
    }

    public boolean isTagTenants() {
      return tagTenants;
    }

    public void setTagTenants(boolean tagTenants) {
      this.tagTenants = tagTenants;
    }
  }

  /**
   * {@code keel.tracing.*}: OpenTelemetry spans (with keel-opentelemetry and an OpenTelemetry
   * bean).
   */
  public static class Tracing {
    /** Trace enqueue and execution. */
    private boolean enabled = true;

    /** Make each attempt's span a child of the enqueue span; false links it from a new trace. */
    private boolean childOfEnqueue = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public boolean isChildOfEnqueue() {
      return childOfEnqueue;
    }

    public void setChildOfEnqueue(boolean childOfEnqueue) {
      this.childOfEnqueue = childOfEnqueue;
    }
  }

  public Map<String, ScheduleProperties> getSchedules() {
    return schedules;
  }

  public void setSchedules(Map<String, ScheduleProperties> schedules) {
    this.schedules = schedules;
  }

  /** {@code keel.postgres.*}. */
  public static class Postgres {
    /**
     * postgres://user:password@host:port/db (or jdbc:postgresql:) URL of a database of Keel's own;
     * the password is never logged. Unset: Keel uses the application's DataSource, and enqueue
     * inside a Spring transaction joins that transaction.
     */
    private String url;

    /** Schema of Keel's tables. */
    private String schema = "keel";

    /** Create and upgrade Keel's tables at start; when false, start fails on an old schema. */
    private boolean migrateOnStart = true;

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public String getSchema() {
      return schema;
    }

    public void setSchema(String schema) {
      this.schema = schema;
    }

    public boolean isMigrateOnStart() {
      return migrateOnStart;
    }

    public void setMigrateOnStart(boolean migrateOnStart) {
      this.migrateOnStart = migrateOnStart;
    }
  }

  /** {@code keel.redis.*}. */
  public static class Redis {
    /** redis://, rediss:// or redis-cluster:// URL. */
    private String url;

    /** Key prefix, so several applications can share one Redis. */
    private String namespace;

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public String getNamespace() {
      return namespace;
    }

    public void setNamespace(String namespace) {
      this.namespace = namespace;
    }
  }

  /** {@code keel.worker.*}. */
  public static class Worker {
    /** Run a worker in this application. */
    private boolean enabled = true;

    /** When the worker starts. */
    private WorkerStart start = WorkerStart.ON_READY;

    /** Queues to claim from and how many of each queue's jobs run at once (default: default=8). */
    private Map<String, Integer> queues = new LinkedHashMap<>();

    /** How long a claimed job's lease lasts without a heartbeat. */
    private Duration lease;

    /** How often running jobs' leases are renewed (default: a third of the lease). */
    private Duration heartbeatInterval;

    /** How often the worker looks for due jobs when no wake-up arrives. */
    private Duration pollInterval;

    /** How long shutdown waits for running jobs before interrupting them. */
    private Duration shutdownGrace;

    /** Jobs claimed ahead of free slots. */
    private Integer prefetch;

    /** Rescue expired leases and prune finished jobs from this node. */
    private boolean maintenance = true;

    /** Fire recurring schedules from this node. */
    private boolean schedules = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public WorkerStart getStart() {
      return start;
    }

    public void setStart(WorkerStart start) {
      this.start = start;
    }

    public Map<String, Integer> getQueues() {
      return queues;
    }

    public void setQueues(Map<String, Integer> queues) {
      this.queues = queues;
    }

    public Duration getLease() {
      return lease;
    }

    public void setLease(Duration lease) {
      this.lease = lease;
    }

    public Duration getHeartbeatInterval() {
      return heartbeatInterval;
    }

    public void setHeartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
    }

    public Duration getPollInterval() {
      return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    public Duration getShutdownGrace() {
      return shutdownGrace;
    }

    public void setShutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
    }

    public Integer getPrefetch() {
      return prefetch;
    }

    public void setPrefetch(Integer prefetch) {
      this.prefetch = prefetch;
    }

    public boolean isMaintenance() {
      return maintenance;
    }

    public void setMaintenance(boolean maintenance) {
      this.maintenance = maintenance;
    }

    public boolean isSchedules() {
      return schedules;
    }

    public void setSchedules(boolean schedules) {
      this.schedules = schedules;
    }
  }

  /** {@code keel.retention.*}: how long finished jobs are kept (unset: Keel's defaults). */
  public static class Retention {
    /** How long SUCCEEDED jobs are kept (default 7d). */
    private Duration succeeded;

    /** How long FAILED jobs are kept (default 30d). */
    private Duration failed;

    /** How long CANCELLED jobs are kept (default 30d). */
    private Duration cancelled;

    public Duration getSucceeded() {
      return succeeded;
    }

    public void setSucceeded(Duration succeeded) {
      this.succeeded = succeeded;
    }

    public Duration getFailed() {
      return failed;
    }

    public void setFailed(Duration failed) {
      this.failed = failed;
    }

    public Duration getCancelled() {
      return cancelled;
    }

    public void setCancelled(Duration cancelled) {
      this.cancelled = cancelled;
    }
  }

  /** {@code keel.schedules.<name>.*}: one recurring schedule. Exactly one of cron, every. */
  public static class ScheduleProperties {
    /** Five-field cron expression (minute hour day month weekday). */
    private String cron;

    /** Six-field cron expression with seconds first. */
    private String cronWithSeconds;

    /** Fixed interval between fires, e.g. 15m. */
    private Duration every;

    /** Time zone of the cron expression (default UTC). */
    private String zone;

    /** Job type of the fired jobs. */
    private String type;

    /** Queue of the fired jobs. */
    private String queue;

    /** Tenant of the fired jobs. */
    private String tenant;

    /** Payload of the fired jobs, as properties (an object). */
    private Map<String, Object> payload = new LinkedHashMap<>();

    /** After downtime: fire-once, skip, or fire-all. */
    private String misfire;

    /** How late a fire may still run. */
    private Duration misfireWindow;

    /** skip, wait or allow when the previous fire's job still runs. */
    private String overlap;

    public String getCron() {
      return cron;
    }

    public void setCron(String cron) {
      this.cron = cron;
    }

    public String getCronWithSeconds() {
      return cronWithSeconds;
    }

    public void setCronWithSeconds(String cronWithSeconds) {
      this.cronWithSeconds = cronWithSeconds;
    }

    public Duration getEvery() {
      return every;
    }

    public void setEvery(Duration every) {
      this.every = every;
    }

    public String getZone() {
      return zone;
    }

    public void setZone(String zone) {
      this.zone = zone;
    }

    public String getType() {
      return type;
    }

    public void setType(String type) {
      this.type = type;
    }

    public String getQueue() {
      return queue;
    }

    public void setQueue(String queue) {
      this.queue = queue;
    }

    public String getTenant() {
      return tenant;
    }

    public void setTenant(String tenant) {
      this.tenant = tenant;
    }

    public Map<String, Object> getPayload() {
      return payload;
    }

    public void setPayload(Map<String, Object> payload) {
      this.payload = payload;
    }

    public String getMisfire() {
      return misfire;
    }

    public void setMisfire(String misfire) {
      this.misfire = misfire;
    }

    public Duration getMisfireWindow() {
      return misfireWindow;
    }

    public void setMisfireWindow(Duration misfireWindow) {
      this.misfireWindow = misfireWindow;
    }

    public String getOverlap() {
      return overlap;
    }

    public void setOverlap(String overlap) {
      this.overlap = overlap;
    }
  }
}
