package dev.keel.bench;

import dev.keel.micrometer.KeelMetrics;
import dev.keel.opentelemetry.KeelTracing;
import dev.keel.queue.BatchRequest;
import dev.keel.queue.FencedLock;
import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.recurring.FireReport;
import dev.keel.queue.recurring.Schedule;
import dev.keel.queue.spi.QueueBackend;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/** The workloads of Keel's standard benchmark. Handlers are no-ops that only count themselves. */
final class Workloads {
  /** The payload: a sequence number, so latency can pair an enqueue with its start. */
  record Tick(int seq) {}

  private final Bench.Options o;
  private final String peer;

  Workloads(Bench.Options o) {
    this.o = o;
    this.peer = "keel-" + o.backend;
  }

  /** What the current run measures; swapped between runs that share one Keel. */
  private final AtomicReference<Runnable> onSuccess = new AtomicReference<>(() -> {});

  private final AtomicReference<AtomicLongArray> startedAt = new AtomicReference<>();

  /** Counts round trips when --profile is given. */
  private CountingBackend counting;

  private Keel keel(QueueBackend backend) {
    counting = o.profile ? new CountingBackend(backend) : null;
    Keel.Builder b = Keel.builder();
    // --schedules=K: K schedules stored beside the workload, none due during the run, so the
    // figures show what storing them costs the claim path (the scheduler runs in every worker).
    for (int i = 0; i < o.schedules; i++) {
      b.schedule(
          Schedule.cron("bench-idle-" + i, "0 3 1 1 *")
              .job(JobRequest.of("tick", new Tick(-1)))
              .build());
    }
    KeelMetrics metrics = null;
    if (o.metrics) {
      metrics = KeelMetrics.builder().build();
      b.listener(metrics);
    }
    if (o.tracing) {
      b.tracePropagator(KeelTracing.create(Observability.openTelemetry()));
    }
    Keel keel =
        b.backend(counting != null ? counting : backend)
            .register(
                "tick",
                Tick.class,
                ctx -> {
                  AtomicLongArray starts = startedAt.get();
                  if (starts != null) {
                    starts.compareAndSet(ctx.payload().seq(), 0, System.nanoTime());
                  }
                  return JobOutcome.success();
                })
            .register(
                "tick.steps",
                Tick.class,
                ctx -> {
                  // Five checkpointed steps: the steps workload's job.
                  for (int k = 0; k < 5; k++) {
                    int step = k;
                    ctx.step("s" + k, Integer.class, () -> ctx.payload().seq() + step);
                  }
                  return JobOutcome.success();
                })
            .listener(
                e -> {
                  if (e instanceof JobEvent.Succeeded) {
                    onSuccess.get().run();
                  }
                })
            .build();
    if (metrics != null) {
      metrics.monitor(keel).bindTo(Observability.registry());
    }
    if (o.schedules > 0) {
      // Store them now, untimed (workers would on start, inside the timed part).
      keel.schedules().fireDue();
    }
    return keel;
  }

  /**
   * Recurring: K interval schedules all due at the same instant; time the scheduler's path (the
   * same {@code fireDue} the workers loop on) until every one has fired its job, then the cost of a
   * tick with K schedules stored and none due.
   */
  boolean recurring() throws Exception {
    int k = o.schedules > 0 ? o.schedules : 10_000;
    try (BenchBackend target = BenchBackend.fresh(o.backend, "recurring")) {
      Instant now = target.backend().ping().serverTime();
      // Far enough ahead for the declarations to be stored first.
      Instant at = now.plusSeconds(5 + k / 1_000).truncatedTo(ChronoUnit.SECONDS);
      Keel.Builder b = Keel.builder().backend(target.backend());
      for (int i = 0; i < k; i++) {
        b.schedule(
            Schedule.every("bench-" + i, Duration.ofHours(1))
                .startingAt(at)
                .job(JobRequest.of("tick", new Tick(i)))
                .build());
      }
      try (Keel keel = b.build()) {
        long d0 = System.nanoTime();
        FireReport first = keel.schedules().fireDue(); // stores all K in one upsert
        double declareS = (System.nanoTime() - d0) / 1e9;
        if (first.jobsEnqueued() != 0 || !first.nextFireAt().equals(at)) {
          System.out.println("ERROR recurring: schedules stored too late for " + at + ": " + first);
          return false;
        }
        while (keel.backend().ping().serverTime().isBefore(at)) {
          Thread.sleep(5);
        }
        long t0 = System.nanoTime();
        int fired = 0;
        int passes = 0;
        while (fired < k && passes < 100_000) {
          fired += keel.schedules().fireDue().jobsEnqueued();
          passes++;
        }
        double fireS = (System.nanoTime() - t0) / 1e9;
        int ticks = 200;
        long i0 = System.nanoTime();
        for (int i = 0; i < ticks; i++) {
          keel.schedules().fireDue();
        }
        double idleTickMs = (System.nanoTime() - i0) / 1e6 / ticks;
        boolean ok = fired == k && keel.health().count(JobState.PENDING) == k;
        System.out.printf(
            "RECURRING peer=%s schedules=%d declare_s=%.3f fire_s=%.3f fires_per_s=%.0f passes=%d idle_tick_ms=%.3f%s%n",
            peer,
            k,
            declareS,
            fireS,
            k / fireS,
            passes,
            idleTickMs,
            ok ? "" : " VERIFY=FAILED fired=" + fired);
        return ok;
      }
    }
  }

  private Worker worker(Keel keel) {
    Worker.Builder b =
        keel.worker().queue("default", o.workers).pollInterval(Duration.ofSeconds(1));
    if (o.prefetch >= 0) {
      b.prefetch(o.prefetch);
    }
    if (!o.maintenance) {
      b.maintenance(false);
    }
    return b.build();
  }

  /**
   * An untimed burn-down, then a few seconds of the latency workload, in its own namespace, then a
   * shorter burn-down in a second namespace and a wait for the JIT compiler, so that the measured
   * runs see a JVM whose hot paths are compiled, as in a service that has been up for a while. Both
   * paths need it: bulk enqueue and deep claims for the burn-down, single enqueues and one-job
   * claims for latency (without the second part, compiling those paths stalled the first second of
   * the latency run by up to 150 ms). {@code --no-warmup} skips it (cold figures).
   */
  boolean warmUp() throws Exception {
    boolean ok;
    try (BenchBackend target = BenchBackend.fresh(o.backend, "warmup");
        Keel keel = keel(target.backend())) {
      ok = burnDownOn(keel, 0, o.warmupJobs, "WARMUP");
      ok = ok && latencyOn(keel, "WARMUP-LATENCY", Math.min(o.seconds, 3));
    }
    // Once more, a measured run's whole path after the first namespace was dropped: code compiled
    // while only single jobs ran had never seen a bulk call's branches, and the classes the drop
    // loads (PostgreSQL's notice about the cascade) deoptimised code compiled before it. Without
    // this round both happened at the measured burn-down's first batch.
    try (BenchBackend target = BenchBackend.fresh(o.backend, "warmup");
        Keel keel = keel(target.backend())) {
      ok = ok && burnDownOn(keel, 0, Math.max(1, o.warmupJobs / 5), "WARMUP");
    }
    awaitCompilerIdle();
    return ok;
  }

  /**
   * Waits until the JIT compiler has caught up with the warm-up (less than 20 ms of compilation in
   * the last second, at most 60 s). On two cores there is one C2 thread, and what it still compiles
   * competes with the database for the CPU during the measured run (see
   * docs/postgres-performance.md).
   */
  private static void awaitCompilerIdle() throws InterruptedException {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long start = System.nanoTime();
    long before = jit.getTotalCompilationTime();
    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
      Thread.sleep(1000);
      long now = jit.getTotalCompilationTime();
      if (now - before < 20) {
        break;
      }
      before = now;
    }
    System.out.printf(
        "WARMUP-JIT compile_ms=%d settled_after_s=%.1f%n",
        jit.getTotalCompilationTime(), (System.nanoTime() - start) / 1e9);
  }

  /**
   * Concurrency keys and fenced locks (not one of the standard workloads): the burn-down of N jobs
   * in a fresh namespace each time, without keys, with 1,000 distinct keys of limit 1, and with one
   * hot key whose limit is W (so the limit itself does not slow the run, only its enforcement);
   * then acquire-and-release cycles of one lock on one thread.
   */
  boolean concurrency() throws Exception {
    boolean ok = true;
    String[] labels = {"RESULT-CKEY-OFF", "RESULT-CKEY-1000", "RESULT-CKEY-HOT"};
    List<IntFunction<JobRequest<Tick>>> shapes =
        List.of(
            i -> JobRequest.of("tick", new Tick(i)),
            i -> JobRequest.of("tick", new Tick(i)).withConcurrency("key-" + (i % 1000), 1),
            i -> JobRequest.of("tick", new Tick(i)).withConcurrency("hot", o.workers));
    try {
      for (int k = 0; k < labels.length; k++) {
        jobOf = shapes.get(k);
        try (BenchBackend target = BenchBackend.fresh(o.backend, "ckey" + k);
            Keel keel = keel(target.backend())) {
          ok &= burnDownOn(keel, 0, o.jobs, labels[k]);
        }
      }
    } finally {
      jobOf = shapes.get(0);
    }
    try (BenchBackend target = BenchBackend.fresh(o.backend, "locks");
        Keel keel = keel(target.backend())) {
      int cycles = 2_000;
      long t0 = System.nanoTime();
      for (int i = 0; i < cycles; i++) {
        try (FencedLock lock = keel.locks().acquire("bench", Duration.ofSeconds(30))) {
          ok &= lock.token() == i + 1;
        }
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "RESULT-LOCKS peer=%s cycles=%d cycles_per_s=%.0f%s%n",
          peer, cycles, cycles / s, ok ? "" : " VERIFY=FAILED");
    }
    return ok;
  }

  /**
   * Batches and dependencies (not one of the standard workloads): the burn-down of N jobs in a
   * fresh namespace each time, plain; as batches of 1,000 members, each with an on-complete
   * callback (counted among the jobs processed); and as N/2 pairs in which the second job depends
   * on the first, written in the same enqueue.
   */
  boolean links() throws Exception {
    boolean ok = true;
    int n = o.jobs;
    try (BenchBackend target = BenchBackend.fresh(o.backend, "links0");
        Keel keel = keel(target.backend())) {
      ok &= burnDownOn(keel, 0, n, "RESULT-LINKS-OFF");
    }
    int size = 1_000;
    int batches = (n + size - 1) / size;
    try (BenchBackend target = BenchBackend.fresh(o.backend, "links1");
        Keel keel = keel(target.backend())) {
      Runnable enqueue =
          () -> {
            for (int b = 0; b < batches; b++) {
              List<JobRequest<?>> members = new ArrayList<>(size);
              for (int i = b * size; i < Math.min(n, (b + 1) * size); i++) {
                members.add(JobRequest.of("tick", new Tick(i)));
              }
              keel.client()
                  .enqueueBatch(
                      BatchRequest.of(members).onComplete(JobRequest.of("tick", new Tick(-b))));
            }
          };
      ok &= burnDownOn(keel, 0, n + batches, "RESULT-LINKS-BATCH", enqueue);
    }
    try (BenchBackend target = BenchBackend.fresh(o.backend, "links2");
        Keel keel = keel(target.backend())) {
      Runnable enqueue =
          () -> {
            List<JobRequest<?>> chunk = new ArrayList<>(o.batch);
            for (int i = 0; i + 1 < n; i += 2) {
              UUID first = JobRequest.newId();
              chunk.add(JobRequest.of("tick", new Tick(i)).withId(first));
              chunk.add(JobRequest.of("tick", new Tick(i + 1)).dependsOn(first));
              if (chunk.size() >= o.batch) {
                keel.client().enqueueAll(chunk);
                chunk.clear();
              }
            }
            if (!chunk.isEmpty()) {
              keel.client().enqueueAll(chunk);
            }
          };
      ok &= burnDownOn(keel, 0, n - n % 2, "RESULT-LINKS-DEPS", enqueue);
    }
    return ok;
  }

  /**
   * Durable steps (not one of the standard workloads): N/5 jobs of five checkpointed steps each,
   * against N plain jobs (the same work as five separate jobs each), each in a fresh namespace.
   * Throughput is reported in jobs; steps per second of the first equal five times its figure.
   */
  boolean steps() throws Exception {
    boolean ok = true;
    int n = o.jobs;
    try (BenchBackend target = BenchBackend.fresh(o.backend, "steps0");
        Keel keel = keel(target.backend())) {
      ok &= burnDownOn(keel, 0, n, "RESULT-STEPS-PLAIN");
    }
    jobOf = i -> JobRequest.of("tick.steps", new Tick(i));
    try (BenchBackend target = BenchBackend.fresh(o.backend, "steps1");
        Keel keel = keel(target.backend())) {
      ok &= burnDownOn(keel, 0, n / 5, "RESULT-STEPS-5");
    } finally {
      jobOf = i -> JobRequest.of("tick", new Tick(i));
    }
    return ok;
  }

  /** Workload 1: bulk enqueue N, then time a worker of concurrency W burning them down. */
  boolean burnDown() throws Exception {
    try (BenchBackend target = BenchBackend.fresh(o.backend, "burn");
        Keel keel = keel(target.backend())) {
      return burnDownOn(keel, 0, o.jobs, "RESULT");
    }
  }

  private boolean burnDownOn(Keel keel, long succeededBefore, int jobs, String label)
      throws Exception {
    return burnDownOn(keel, succeededBefore, jobs, label, () -> enqueueInBatches(keel, jobs));
  }

  /** A burn-down of {@code jobs} jobs (callbacks included) that {@code enqueue} writes. */
  private boolean burnDownOn(
      Keel keel, long succeededBefore, int jobs, String label, Runnable enqueue) throws Exception {
    CountDownLatch done = new CountDownLatch(jobs);
    onSuccess.set(done::countDown);
    startedAt.set(null);
    if (counting != null) {
      counting.reset();
    }
    long t0 = System.nanoTime();
    enqueue.run();
    long t1 = System.nanoTime();
    long t2;
    try (Worker w = worker(keel).start()) {
      if (!done.await(30, TimeUnit.MINUTES)) {
        System.out.println("ERROR burn-down did not finish: " + done.getCount() + " jobs left");
        return false;
      }
      // Succeeded events fire once the result is stored, so this is "all N succeeded".
      t2 = System.nanoTime();
    }
    double enqueueS = (t1 - t0) / 1e9;
    double processS = (t2 - t1) / 1e9;
    boolean ok = verify(keel, succeededBefore + jobs);
    System.out.printf(
        "%s peer=%s jobs=%d workers=%d enqueue_s=%.3f enqueue_per_s=%.0f process_s=%.3f process_per_s=%.0f%s%n",
        label,
        peer,
        jobs,
        o.workers,
        enqueueS,
        jobs / enqueueS,
        processS,
        jobs / processS,
        ok ? "" : " VERIFY=FAILED");
    if (counting != null) {
      System.out.print(counting.report(jobs));
    }
    return ok;
  }

  /** The i-th job a burn-down enqueues; the concurrency workload gives them keys. */
  private IntFunction<JobRequest<Tick>> jobOf = i -> JobRequest.of("tick", new Tick(i));

  private void enqueueInBatches(Keel keel, int n) {
    List<JobRequest<Tick>> batch = new ArrayList<>(o.batch);
    for (int i = 0; i < n; i++) {
      batch.add(jobOf.apply(i));
      if (batch.size() == o.batch) {
        keel.client().enqueueAll(batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      keel.client().enqueueAll(batch);
    }
  }

  /** Exactly {@code expectedSucceeded} succeeded in all, none failed, none left. */
  private boolean verify(Keel keel, long expectedSucceeded) {
    HealthSnapshot h = keel.health();
    long succeeded = h.count(JobState.SUCCEEDED);
    boolean ok =
        succeeded == expectedSucceeded
            && h.count(JobState.FAILED) == 0
            && h.count(JobState.PENDING) == 0
            && h.count(JobState.RUNNING) == 0;
    if (!ok) {
      System.out.println(
          "VERIFY expected "
              + expectedSucceeded
              + " succeeded, none failed or left; got "
              + h.counts());
    }
    return ok;
  }

  /** Workload 2: an idle worker; single enqueues at a fixed rate; enqueue-return to start. */
  boolean latency() throws Exception {
    try (BenchBackend target = BenchBackend.fresh(o.backend, "latency");
        Keel keel = keel(target.backend())) {
      return latencyOn(keel, "LATENCY", o.seconds);
    }
  }

  private boolean latencyOn(Keel keel, String label, int seconds) throws Exception {
    int n = o.rate * seconds;
    AtomicLongArray enqueuedAt = new AtomicLongArray(n);
    AtomicLongArray starts = new AtomicLongArray(n);
    CountDownLatch done = new CountDownLatch(n);
    onSuccess.set(done::countDown);
    startedAt.set(starts);
    try (Worker w = worker(keel).start()) {
      // Let the worker reach its idle wait before the clock starts.
      keel.health();
      long interval = 1_000_000_000L / o.rate;
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long due = start + i * interval;
        long now;
        while ((now = System.nanoTime()) < due) {
          LockSupport.parkNanos(due - now);
        }
        keel.client().enqueue(JobRequest.of("tick", new Tick(i)));
        enqueuedAt.set(i, System.nanoTime());
      }
      if (!done.await(5, TimeUnit.MINUTES)) {
        System.out.println("ERROR latency run did not finish: " + done.getCount() + " jobs left");
        return false;
      }
    }
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      // A job can start before enqueue() returns to the producer: that counts as zero wait.
      ms[i] = Math.max(0, starts.get(i) - enqueuedAt.get(i)) / 1e6;
    }
    Arrays.sort(ms);
    System.out.printf(
        "%s peer=%s rate=%d jobs=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f%n",
        label, peer, o.rate, n, ms[(int) (0.50 * (n - 1))], ms[(int) (0.99 * (n - 1))], ms[n - 1]);
    return true;
  }

  /**
   * Workload 3: producer and worker at once, offered more than the worker takes; completed jobs per
   * second over the middle half of the run, and the backlog at the end.
   */
  boolean steady() throws Exception {
    try (BenchBackend target = BenchBackend.fresh(o.backend, "steady");
        Keel keel = keel(target.backend())) {
      AtomicLong completed = new AtomicLong();
      onSuccess.set(completed::incrementAndGet);
      startedAt.set(null);
      int seconds = o.seconds;
      long[] perSecond = new long[seconds + 1];
      try (Worker w = worker(keel).start()) {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        int offered = o.steadyRate;
        long interval = 1_000_000_000L / Math.max(1, offered / 100); // batches of 100
        int seq = 0;
        int lastSecond = -1;
        while (System.nanoTime() < end) {
          List<JobRequest<Tick>> batch = new ArrayList<>(100);
          for (int i = 0; i < 100; i++) {
            batch.add(JobRequest.of("tick", new Tick(seq++)));
          }
          keel.client().enqueueAll(batch);
          int second = (int) ((System.nanoTime() - start) / 1_000_000_000L);
          if (second != lastSecond && second <= seconds) {
            perSecond[second] = completed.get();
            lastSecond = second;
          }
          long due = start + (long) (seq / 100) * interval;
          long now;
          while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(due - now);
          }
        }
        HealthSnapshot h = keel.health();
        int from = seconds / 4;
        int to = Math.max(from + 1, 3 * seconds / 4);
        double rate = (perSecond[to] - perSecond[from]) / (double) (to - from);
        System.out.printf(
            "STEADY peer=%s offered_per_s=%d workers=%d seconds=%d completed_per_s=%.0f backlog=%d%n",
            peer,
            offered,
            o.workers,
            seconds,
            rate,
            h.count(JobState.PENDING) + h.count(JobState.RUNNING));
      }
      return true;
    }
  }

  /**
   * Workload 5: keep {@code --history} finished jobs in storage, then repeat burn-down and latency
   * in the same namespace; the claim cost must not grow with history.
   */
  boolean history() throws Exception {
    try (BenchBackend target = BenchBackend.fresh(o.backend, "history");
        Keel keel = keel(target.backend())) {
      long t0 = System.nanoTime();
      CountDownLatch seeded = new CountDownLatch(o.history);
      onSuccess.set(seeded::countDown);
      startedAt.set(null);
      enqueueInBatches(keel, o.history);
      try (Worker w = worker(keel).start()) {
        if (!seeded.await(60, TimeUnit.MINUTES)) {
          System.out.println("ERROR history seeding did not finish");
          return false;
        }
      }
      long s0 = System.nanoTime();
      target.settle();
      System.out.printf(
          "HISTORY-SETTLED peer=%s settle_s=%.1f%n", peer, (System.nanoTime() - s0) / 1e9);
      System.out.printf(
          "HISTORY-SEEDED peer=%s finished_jobs=%d seed_s=%.1f%n",
          peer, o.history, (System.nanoTime() - t0) / 1e9);
      boolean ok = burnDownOn(keel, o.history, o.jobs, "RESULT-HISTORY");
      ok &= latencyOn(keel, "LATENCY-HISTORY", o.seconds);
      return ok;
    }
  }
}
