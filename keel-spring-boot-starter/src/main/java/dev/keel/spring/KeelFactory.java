package dev.keel.spring;

import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.KeelException;
import dev.keel.queue.Retention;
import dev.keel.queue.Worker;
import dev.keel.queue.recurring.MisfirePolicy;
import dev.keel.queue.recurring.OverlapPolicy;
import dev.keel.queue.recurring.Schedule;
import dev.keel.spring.KeelProperties.ScheduleProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.ClassUtils;

/**
 * Turns {@code keel.*} properties into Keel builder calls. Every value goes through the same
 * builder method a plain-Java application would call; a value the builder refuses becomes a {@link
 * KeelPropertyException} that names the property.
 */
final class KeelFactory {
  private static final Logger log = LoggerFactory.getLogger(KeelFactory.class);

  private KeelFactory() {}

  /** A builder step that may refuse its value. */
  @FunctionalInterface
  interface Step {
    void run();
  }

  /** Runs {@code step}; a Keel refusal becomes a failure naming {@code property}. */
  static void property(String property, Object value, Step step) {
    try {
      step.run();
    } catch (KeelException | IllegalArgumentException | NullPointerException e) {
      throw new KeelPropertyException(property, value, reason(e), e);
    }
  }

  private static String reason(RuntimeException e) {
    String m = e.getMessage();
    return m == null || m.isBlank()
        ? "is refused: " + e.getClass().getSimpleName()
        : "is refused: " + m;
  }

  /** Sets the backend the properties name on {@code builder}. */
  static void backend(KeelProperties p, Keel.Builder builder, DataSource dataSource) {
    KeelProperties.Backend kind = p.getBackend();
    if (kind == null) {
      throw new KeelPropertyException(
          "keel.backend", null, "must be set: auto, inline, postgres or redis");
    }
    if (kind == KeelProperties.Backend.AUTO) {
      if (p.getPostgres().getUrl() != null || dataSource != null) {
        kind = KeelProperties.Backend.POSTGRES;
      } else if (p.getRedis().getUrl() != null) {
        kind = KeelProperties.Backend.REDIS;
      } else {
        kind = KeelProperties.Backend.INLINE;
      }
    }
    switch (kind) {
      case INLINE -> {
        log.warn(
            "Keel uses the inline backend: jobs live in this process's memory and are lost when it"
                + " stops. Set keel.backend (postgres or redis) for durable jobs.");
        Map<String, String> env = Map.of("KEEL_BACKEND", "inline");
        builder.fromEnvironment(env, p.getStartupMode());
      }
      case POSTGRES -> postgres(p, builder, dataSource);
      case REDIS -> redis(p, builder);
      default -> throw new IllegalStateException("unreachable: " + kind);
    }
  }

  private static void postgres(KeelProperties p, Keel.Builder builder, DataSource dataSource) {
    KeelProperties.Postgres pg = p.getPostgres();
    if (pg.getUrl() != null) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("KEEL_BACKEND", "postgres");
      env.put("KEEL_DATABASE_URL", pg.getUrl());
      env.put("KEEL_DATABASE_SCHEMA", pg.getSchema());
      env.put("KEEL_DATABASE_MIGRATE", Boolean.toString(pg.isMigrateOnStart()));
      builder.fromEnvironment(env, p.getStartupMode());
      return;
    }
    if (dataSource == null) {
      throw new KeelPropertyException(
          "keel.postgres.url",
          null,
          "must be set when keel.backend=postgres and the application has no DataSource bean");
    }
    requireClass(
        "dev.keel.queue.postgres.PostgresBackend",
        "keel.backend",
        "postgres",
        "needs dev.keel:queue-postgres on the classpath");
    requireClass(
        "org.springframework.jdbc.datasource.DataSourceUtils",
        "keel.backend",
        "postgres",
        "on the application's DataSource needs spring-jdbc on the classpath"
            + " (spring-boot-starter-jdbc), or set keel.postgres.url");
    builder.backend(SpringTransactionBackend.open(dataSource, pg));
  }

  private static void requireClass(String name, String property, Object value, String rule) {
    if (!ClassUtils.isPresent(name, KeelFactory.class.getClassLoader())) {
      throw new KeelPropertyException(property, value, rule);
    }
  }

  private static void redis(KeelProperties p, Keel.Builder builder) {
    KeelProperties.Redis r = p.getRedis();
    if (r.getUrl() == null || r.getUrl().isBlank()) {
      throw new KeelPropertyException(
          "keel.redis.url",
          null,
          "must be set when keel.backend=redis, e.g. redis://127.0.0.1:6379");
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KEEL_BACKEND", "redis");
    env.put("KEEL_REDIS_URL", r.getUrl());
    if (r.getNamespace() != null) {
      env.put("KEEL_REDIS_NAMESPACE", r.getNamespace());
    }
    builder.fromEnvironment(env, p.getStartupMode());
  }

  /** Applies everything but the backend and the handlers. */
  static void options(KeelProperties p, Keel.Builder builder) {
    if (p.getMaxPayloadBytes() != null) {
      property(
          "keel.max-payload-bytes",
          p.getMaxPayloadBytes(),
          () -> builder.maxPayloadBytes(p.getMaxPayloadBytes()));
    }
    KeelProperties.Retention r = p.getRetention();
    if (r.getSucceeded() != null || r.getFailed() != null || r.getCancelled() != null) {
      Retention d = Retention.DEFAULT;
      property(
          "keel.retention",
          r.getSucceeded() + "/" + r.getFailed() + "/" + r.getCancelled(),
          () ->
              builder.retention(
                  new Retention(
                      r.getSucceeded() != null ? r.getSucceeded() : d.succeeded(),
                      r.getFailed() != null ? r.getFailed() : d.failed(),
                      r.getCancelled() != null ? r.getCancelled() : d.cancelled())));
    }
    if (p.getScheduleCheckInterval() != null) {
      property(
          "keel.schedule-check-interval",
          p.getScheduleCheckInterval(),
          () -> builder.scheduleCheckInterval(p.getScheduleCheckInterval()));
    }
    if (p.isPruneUndeclaredSchedules()) {
      builder.pruneUndeclaredSchedules(true);
    }
    for (Map.Entry<String, ScheduleProperties> e : p.getSchedules().entrySet()) {
      Schedule s = schedule(e.getKey(), e.getValue());
      property("keel.schedules." + e.getKey(), e.getKey(), () -> builder.schedule(s));
    }
  }

  static Schedule schedule(String name, ScheduleProperties s) {
    String prefix = "keel.schedules." + name;
    int triggers =
        (s.getCron() != null ? 1 : 0)
            + (s.getCronWithSeconds() != null ? 1 : 0)
            + (s.getEvery() != null ? 1 : 0);
    if (triggers != 1) {
      throw new KeelPropertyException(
          prefix, null, "needs exactly one of cron, cron-with-seconds or every, had " + triggers);
    }
    if (s.getType() == null) {
      throw new KeelPropertyException(
          prefix + ".type", null, "must be set: the job type to enqueue");
    }
    Schedule.Builder[] b = new Schedule.Builder[1];
    if (s.getCron() != null) {
      property(prefix + ".cron", s.getCron(), () -> b[0] = Schedule.cron(name, s.getCron()));
    } else if (s.getCronWithSeconds() != null) {
      property(
          prefix + ".cron-with-seconds",
          s.getCronWithSeconds(),
          () -> b[0] = Schedule.cronWithSeconds(name, s.getCronWithSeconds()));
    } else {
      property(prefix + ".every", s.getEvery(), () -> b[0] = Schedule.every(name, s.getEvery()));
    }
    Schedule.Builder builder = b[0];
    if (s.getZone() != null) {
      property(prefix + ".zone", s.getZone(), () -> builder.zone(s.getZone()));
    }
    JobRequest<Map<String, Object>> job = JobRequest.of(s.getType(), Map.copyOf(s.getPayload()));
    if (s.getQueue() != null) {
      job = job.withQueue(s.getQueue());
    }
    if (s.getTenant() != null) {
      job = job.withTenant(s.getTenant());
    }
    JobRequest<Map<String, Object>> request = job;
    property(prefix + ".type", s.getType(), () -> builder.job(request));
    if (s.getMisfire() != null) {
      MisfirePolicy policy = misfire(prefix + ".misfire", s.getMisfire());
      property(prefix + ".misfire", s.getMisfire(), () -> builder.misfire(policy));
    }
    if (s.getMisfireWindow() != null) {
      property(
          prefix + ".misfire-window",
          s.getMisfireWindow(),
          () -> builder.misfireWindow(s.getMisfireWindow()));
    }
    if (s.getOverlap() != null) {
      OverlapPolicy overlap;
      try {
        overlap = OverlapPolicy.valueOf(s.getOverlap().trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new KeelPropertyException(
            prefix + ".overlap", s.getOverlap(), "must be skip, wait or allow", e);
      }
      property(prefix + ".overlap", s.getOverlap(), () -> builder.overlap(overlap));
    }
    Schedule[] built = new Schedule[1];
    property(prefix, name, () -> built[0] = builder.build());
    return built[0];
  }

  private static MisfirePolicy misfire(String property, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("fire-once")) {
      return MisfirePolicy.fireOnce();
    }
    if (v.equals("skip")) {
      return MisfirePolicy.skip();
    }
    if (v.startsWith("fire-all:")) {
      try {
        int cap = Integer.parseInt(v.substring("fire-all:".length()));
        MisfirePolicy[] p = new MisfirePolicy[1];
        property(property, value, () -> p[0] = MisfirePolicy.fireAll(cap));
        return p[0];
      } catch (NumberFormatException e) {
        throw new KeelPropertyException(
            property, value, "fire-all needs a whole number cap, e.g. fire-all:10", e);
      }
    }
    throw new KeelPropertyException(property, value, "must be fire-once, skip or fire-all:<cap>");
  }

  /** A worker built (not started) from {@code keel.worker.*}. */
  static Worker worker(
      KeelProperties.Worker w, Keel keel, Iterable<KeelWorkerCustomizer> customizers) {
    Worker.Builder b = keel.worker();
    for (Map.Entry<String, Integer> q : w.getQueues().entrySet()) {
      property(
          "keel.worker.queues." + q.getKey(),
          q.getValue(),
          () -> b.queue(q.getKey(), q.getValue() == null ? 0 : q.getValue()));
    }
    Duration lease = w.getLease();
    if (lease != null) {
      property("keel.worker.lease", lease, () -> b.leaseDuration(lease));
    }
    if (w.getHeartbeatInterval() != null) {
      property(
          "keel.worker.heartbeat-interval",
          w.getHeartbeatInterval(),
          () -> b.heartbeatInterval(w.getHeartbeatInterval()));
    }
    if (w.getPollInterval() != null) {
      property(
          "keel.worker.poll-interval",
          w.getPollInterval(),
          () -> b.pollInterval(w.getPollInterval()));
    }
    if (w.getShutdownGrace() != null) {
      property(
          "keel.worker.shutdown-grace",
          w.getShutdownGrace(),
          () -> b.shutdownGrace(w.getShutdownGrace()));
    }
    if (w.getPrefetch() != null) {
      property("keel.worker.prefetch", w.getPrefetch(), () -> b.prefetch(w.getPrefetch()));
    }
    b.maintenance(w.isMaintenance());
    b.schedules(w.isSchedules());
    for (KeelWorkerCustomizer c : customizers) {
      c.customize(b);
    }
    Worker[] built = new Worker[1];
    property("keel.worker", "(combination)", () -> built[0] = b.build());
    return built[0];
  }
}
