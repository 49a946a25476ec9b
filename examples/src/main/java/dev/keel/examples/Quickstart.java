package dev.keel.examples;

import dev.keel.queue.ExponentialBackoff;
import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.StartupMode;
import dev.keel.queue.Worker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keel's quickstart: enqueues a few hundred jobs of three types, runs them with a worker, shows a
 * live progress line, then a summary and the health snapshot.
 *
 * <ul>
 *   <li>{@code email.send} succeeds;
 *   <li>{@code payment.charge} fails its first attempt for every fifth job and succeeds on retry;
 *       one charge is declined for good (permanent failure);
 *   <li>{@code report.build} reports progress from 0 to 100 %.
 * </ul>
 *
 * <p>Run it with {@code ./demo} (inline backend, no server needed). The backend is chosen from the
 * first argument or {@code KEEL_BACKEND}, exactly as an application would.
 */
public final class Quickstart {
  record Email(String to, String subject) {}

  record Charge(int order, long cents) {}

  record Report(String name) {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    Map<String, String> env = new HashMap<>(System.getenv());
    if (args.length > 0) {
      env.put("KEEL_BACKEND", args[0]);
    }
    Demo demo = new Demo(out);
    int exit;
    try (DemoBackends backends = DemoBackends.prepare(env, out);
        Keel keel = demo.keel(backends.environment())) {
      exit = demo.run(keel);
    }
    System.exit(exit);
  }

  /** The demo itself, separate from main so a test can run it. */
  static final class Demo {
    private final PrintStream out;
    private final AtomicInteger retried = new AtomicInteger();
    private final AtomicInteger reportProgress = new AtomicInteger();

    Demo(PrintStream out) {
      this.out = out;
    }

    Keel keel(Map<String, String> env) {
      ExponentialBackoff quickRetries =
          ExponentialBackoff.of(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 0.2);
      return Keel.builder()
          .fromEnvironment(env, StartupMode.FAIL_FAST)
          .register(JobType.of("email.send", Email.class, JobHandler.of(e -> simulateWork(2))))
          .register(
              JobType.of(
                      "payment.charge", Charge.class, ctx -> charge(ctx.payload(), ctx.attempt()))
                  .withMaxAttempts(3)
                  .withRetryPolicy(quickRetries))
          .register(
              JobType.of(
                  "report.build",
                  Report.class,
                  ctx -> {
                    for (int p = 0; p <= 100; p += 10) {
                      ctx.progress(p, "rendering page " + p / 10);
                      reportProgress.set(p);
                      simulateWork(40);
                    }
                    return JobOutcome.success();
                  }))
          .listener(
              e -> {
                if (e instanceof JobEvent.Retrying) {
                  retried.incrementAndGet();
                }
              })
          .build();
    }

    int run(Keel keel) throws InterruptedException {
      String tenant = "demo-" + UUID.randomUUID().toString().substring(0, 8);
      List<JobRequest<?>> jobs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        jobs.add(
            JobRequest.of("email.send", new Email("user" + i + "@example.com", "Welcome"))
                .withTenant(tenant));
      }
      for (int i = 0; i < 100; i++) {
        jobs.add(
            JobRequest.of("payment.charge", new Charge(i, 1_000 + i))
                .withTenant(tenant)
                .withQueue("payments"));
      }
      jobs.add(
          JobRequest.of("report.build", new Report("monthly"))
              .withTenant(tenant)
              .withQueue("reports"));
      keel.client().enqueueAll(jobs);
      int total = jobs.size();
      out.printf(
          "Enqueued %d jobs on the %s backend (tenant %s)%n",
          total, keel.backend().capabilities().name(), tenant);

      Map<JobState, Long> counts;
      try (Worker worker =
          keel.worker()
              .queue("default", 8)
              .queue("payments", 4)
              .queue("reports", 1)
              .pollInterval(Duration.ofMillis(100))
              .build()
              .start()) {
        String last = "";
        while (true) {
          counts = DemoCounts.of(keel, tenant);
          long done =
              counts.getOrDefault(JobState.SUCCEEDED, 0L)
                  + counts.getOrDefault(JobState.FAILED, 0L);
          String line =
              String.format(
                  "  progress: done %3d/%d  running %2d  retries so far %2d  report %3d%%",
                  done,
                  total,
                  counts.getOrDefault(JobState.RUNNING, 0L),
                  retried.get(),
                  reportProgress.get());
          if (!line.equals(last)) {
            out.println(line);
            last = line;
          }
          if (done == total) {
            break;
          }
          Thread.sleep(250); // refresh rate of the progress line, not a wait for a condition
        }
      }
      out.printf(
          "Summary: succeeded %d, retried %d times, failed %d%n",
          counts.getOrDefault(JobState.SUCCEEDED, 0L),
          retried.get(),
          counts.getOrDefault(JobState.FAILED, 0L));
      HealthSnapshot health = keel.health();
      out.printf(
          "Health: healthy=%s backend=%s reachable=%s counts=%s failedLastHour=%d stuck=%d recent p50=%s p99=%s%n",
          health.healthy(),
          health.backend(),
          health.backendReachable(),
          health.counts(),
          health.failedLastHour(),
          health.stuck(),
          health.recentDurations().p50(),
          health.recentDurations().p99());
      health.problems().forEach(p -> out.println("  note: " + p));
      boolean expected =
          counts.getOrDefault(JobState.SUCCEEDED, 0L) == total - 1
              && counts.getOrDefault(JobState.FAILED, 0L) == 1;
      out.println(
          expected ? "Demo finished as expected." : "Demo finished with unexpected counts.");
      return expected ? 0 : 1;
    }

    private JobOutcome charge(Charge c, int attempt) {
      simulateWork(5);
      if (c.order() == 13) {
        return JobOutcome.permanentFailure("card declined for order 13");
      }
      if (c.order() % 5 == 0 && attempt == 1) {
        throw new IllegalStateException("payment gateway timed out for order " + c.order());
      }
      return JobOutcome.success();
    }

    private static void simulateWork(long millis) {
      try {
        Thread.sleep(millis); // stands in for real I/O in a demo handler
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }
}
