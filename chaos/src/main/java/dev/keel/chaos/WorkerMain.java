package dev.keel.chaos;

import dev.keel.queue.Job;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.Keel;
import dev.keel.queue.StartupMode;
import dev.keel.queue.Worker;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One worker process of the fault-injection suite. Configured by environment variables (see {@link
 * #main}); runs a Keel worker on PostgreSQL or Redis whose handler appends to the {@link Ledger}
 * and sleeps a few milliseconds, so that kills land mid-handler.
 *
 * <p>It prints one line per event the test needs to see, on standard output:
 *
 * <ul>
 *   <li>{@code CHAOS READY <name> <pid> <workerId>} once the worker runs;
 *   <li>{@code CHAOS SUCCEEDED <jobId> <attempt> <leaseToken>} when the backend accepted a success;
 *   <li>{@code CHAOS LEASE_LOST <jobId> <attempt> <leaseToken>} when the worker lost a job's lease
 *       and discarded its result (the backend refused the finish, or a heartbeat said the lease was
 *       gone, or no heartbeat got through for longer than the lease).
 * </ul>
 *
 * It exits when its standard input closes, so a worker never outlives a test JVM that died.
 */
public final class WorkerMain {
  private WorkerMain() {}

  /**
   * Variables: {@code CHAOS_WORKER_NAME}; {@code CHAOS_BACKEND} ({@code postgres} or {@code
   * redis}), {@code CHAOS_BACKEND_URL}, {@code CHAOS_BACKEND_SCHEMA} (schema or key namespace);
   * {@code CHAOS_LEDGER_JDBC_URL}, {@code CHAOS_LEDGER_USER}, {@code CHAOS_LEDGER_PASSWORD}, {@code
   * CHAOS_LEDGER_SCHEMA}; {@code CHAOS_LEASE_MILLIS}, {@code CHAOS_CONCURRENCY}, {@code
   * CHAOS_POLL_MILLIS}, {@code CHAOS_CLOCK_SKEW_MILLIS}, {@code CHAOS_MIN_SLEEP_MILLIS}, {@code
   * CHAOS_MAX_SLEEP_MILLIS}.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    String name = required(env, "CHAOS_WORKER_NAME");
    long pid = ProcessHandle.current().pid();
    int concurrency = Integer.parseInt(env.getOrDefault("CHAOS_CONCURRENCY", "4"));
    Duration lease =
        Duration.ofMillis(Long.parseLong(env.getOrDefault("CHAOS_LEASE_MILLIS", "3000")));
    Duration poll = Duration.ofMillis(Long.parseLong(env.getOrDefault("CHAOS_POLL_MILLIS", "250")));
    long skew = Long.parseLong(env.getOrDefault("CHAOS_CLOCK_SKEW_MILLIS", "0"));
    int minSleep = Integer.parseInt(env.getOrDefault("CHAOS_MIN_SLEEP_MILLIS", "5"));
    int maxSleep = Integer.parseInt(env.getOrDefault("CHAOS_MAX_SLEEP_MILLIS", "50"));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    Ledger ledger =
        Ledger.open(
            required(env, "CHAOS_LEDGER_JDBC_URL"),
            env.get("CHAOS_LEDGER_USER"),
            env.get("CHAOS_LEDGER_PASSWORD"),
            required(env, "CHAOS_LEDGER_SCHEMA"),
            concurrency + 2);

    // The node's own clock, skewed on purpose in the clock-skew scenario. Leases must not care:
    // they are timed by the backend's clock.
    InstantSource clock =
        skew == 0
            ? InstantSource.system()
            : InstantSource.offset(InstantSource.system(), Duration.ofMillis(skew));

    // The outbox scenario: this process also relays outbox messages and delivers their effects.
    OutboxWorker outbox =
        env.containsKey("CHAOS_OUTBOX_SCHEMA") ? new OutboxWorker(env, concurrency + 2) : null;
    Keel.Builder builder =
        Keel.builder()
            .clock(clock)
            .fromEnvironment(keelEnvironment(env, concurrency), StartupMode.FAIL_FAST)
            .register(
                ChaosJobs.type(
                    ctx -> {
                      Job job = ctx.job();
                      ledger.append(
                          job.id(), job.attempt(), job.leaseToken(), Ledger.STARTED, name, pid);
                      Thread.sleep(ThreadLocalRandom.current().nextInt(minSleep, maxSleep + 1));
                      ledger.append(
                          job.id(), job.attempt(), job.leaseToken(), Ledger.FINISHED, name, pid);
                      return JobOutcome.success();
                    }))
            .listener(
                event -> {
                  if (event instanceof JobEvent.Succeeded s) {
                    out.println(line("SUCCEEDED", s.job()));
                  } else if (event instanceof JobEvent.LeaseLost l) {
                    out.println(line("LEASE_LOST", l.job()));
                  }
                });
    if (outbox != null) {
      builder.register(outbox.type(ledger, name, pid));
    }
    Keel keel = builder.build();
    Worker.Builder workerBuilder =
        keel.worker()
            .id(name + "-" + pid)
            .queue("default", concurrency)
            .queue(ChaosJobs.IDEMPOTENT_QUEUE, 1);
    if (outbox != null) {
      workerBuilder.queue(OutboxWorker.QUEUE, 2);
      outbox.startRelay(keel.client(), name + "-" + pid, lease, poll);
    }
    String maintenance = env.get("CHAOS_MAINTENANCE_MILLIS");
    if (maintenance != null) {
      workerBuilder.maintenanceInterval(Duration.ofMillis(Long.parseLong(maintenance)));
    }
    Worker worker =
        workerBuilder
            .leaseDuration(lease)
            .heartbeatInterval(lease.dividedBy(3))
            .pollInterval(poll)
            // Maintenance (rescue) runs on the test's own node, which is never killed, unless the
            // scenario asks the workers to run it (CHAOS_MAINTENANCE_MILLIS).
            .maintenance(maintenance != null)
            .shutdownGrace(Duration.ofSeconds(1))
            .build()
            .start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (outbox != null) {
                    outbox.close();
                  }
                  worker.close();
                  keel.close();
                  ledger.close();
                },
                "chaos-worker-shutdown"));
    out.println("CHAOS READY " + name + " " + pid + " " + worker.id());
    waitForStdinToClose(System.in);
    System.exit(0);
  }

  private static String line(String what, Job job) {
    return "CHAOS " + what + " " + job.id() + " " + job.attempt() + " " + job.leaseToken();
  }

  private static Map<String, String> keelEnvironment(Map<String, String> env, int concurrency) {
    String backend = required(env, "CHAOS_BACKEND");
    Map<String, String> keel = new HashMap<>();
    keel.put("KEEL_BACKEND", backend);
    switch (backend) {
      case "postgres" -> {
        keel.put("KEEL_DATABASE_URL", required(env, "CHAOS_BACKEND_URL"));
        keel.put("KEEL_DATABASE_SCHEMA", required(env, "CHAOS_BACKEND_SCHEMA"));
        keel.put("KEEL_DATABASE_POOL_SIZE", Integer.toString(concurrency + 4));
      }
      case "redis" -> {
        keel.put("KEEL_REDIS_URL", required(env, "CHAOS_BACKEND_URL"));
        keel.put("KEEL_REDIS_NAMESPACE", required(env, "CHAOS_BACKEND_SCHEMA"));
      }
      default -> throw new IllegalArgumentException("CHAOS_BACKEND must be postgres or redis");
    }
    return keel;
  }

  private static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("WorkerMain needs the environment variable " + name);
    }
    return v;
  }

  private static void waitForStdinToClose(InputStream in) {
    byte[] buffer = new byte[64];
    try {
      while (in.read(buffer) >= 0) {
        // nothing is sent; EOF means the test JVM is gone or wants this worker to stop
      }
    } catch (IOException e) {
      System.err.println("CHAOS stdin failed, stopping: " + e);
    }
  }
}
