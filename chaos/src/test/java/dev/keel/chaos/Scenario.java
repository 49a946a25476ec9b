package dev.keel.chaos;

import static org.awaitility.Awaitility.await;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.StartupMode;
import dev.keel.queue.testkit.servers.TestSql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * One run of a fault scenario: a Keel node in this JVM (enqueues, reads, runs maintenance, never
 * broken), worker processes, the faults injected into them and what was observed, for {@link
 * LedgerCheck}.
 */
final class Scenario implements AutoCloseable {
  /** Where the queue lives: backend kind, URL for the test's node, schema or key namespace. */
  record Target(String backend, String url, String schema) {}

  /** A fault: what, on which worker process (pid 0 for a server fault), when. */
  record Fault(String kind, String worker, long pid, Instant at) {}

  /** One execution in flight when a fault hit its worker. */
  record InFlight(UUID jobId, int attempt, String token) {}

  final String name;
  final Target target;
  final String ledgerSchema;
  final Keel node;
  final List<WorkerProcess.Event> events = Collections.synchronizedList(new ArrayList<>());
  final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
  final Set<Long> faultedPids = ConcurrentHashMap.newKeySet();

  /** Workers frozen (SIGSTOP) or cut off (stalled connections) while they held leases. */
  final Set<Long> pausedPids = ConcurrentHashMap.newKeySet();

  /**
   * Set by the PostgreSQL crash scenario: a success acknowledged within two seconds before the
   * crash may be lost with the asynchronous worker commits (documented), and the job run again.
   */
  volatile boolean crashMayLoseRecentCommits;

  /** One measured rescue: the fault's moment and how long the lease stayed with the dead worker. */
  record Rescue(Instant faultAt, Duration took) {}

  final List<Rescue> rescues = Collections.synchronizedList(new ArrayList<>());

  /**
   * When a kill hit the holder of the maintenance lock (scenarios whose workers run maintenance):
   * each such kill can hold rescues back by up to the lock's TTL.
   */
  final List<Instant> holderKills = Collections.synchronizedList(new ArrayList<>());

  final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  final Set<UUID> bulkIds = ConcurrentHashMap.newKeySet();
  final Map<String, Set<UUID>> idempotentIds = new ConcurrentHashMap<>();
  final AtomicInteger idempotentEnqueues = new AtomicInteger();
  final AtomicInteger idempotentEnqueueFailures = new AtomicInteger();
  final AtomicInteger maintenanceFailures = new AtomicInteger();
  final AtomicLong maintenanceRescued = new AtomicLong();
  final List<WorkerProcess> allProcesses = Collections.synchronizedList(new ArrayList<>());

  private final LedgerDatabase ledgerDb;
  private final Path logDir;
  private final IntFunction<String> workerUrl;
  private final IntFunction<Long> workerSkewMillis;
  private final int concurrency;
  private final WorkerProcess[] slots;
  private final AtomicInteger generation = new AtomicInteger();

  /** Maintenance alone on its thread, so that nothing the test does delays a rescue. */
  private final ScheduledExecutorService maintenanceTimer =
      Executors.newSingleThreadScheduledExecutor();

  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService background = Executors.newCachedThreadPool();
  private volatile boolean idempotentLoad;
  private volatile String lastNodeError = "";

  /**
   * @param workerUrl the backend URL of worker slot i (a proxy's, for some)
   * @param workerSkewMillis the clock skew of worker slot i
   */
  Scenario(
      String name,
      Target target,
      LedgerDatabase ledgerDb,
      int workers,
      int concurrency,
      IntFunction<String> workerUrl,
      IntFunction<Long> workerSkewMillis,
      boolean workersRunMaintenance) {
    this.name = name;
    this.target = target;
    this.ledgerDb = ledgerDb;
    this.ledgerSchema = ledgerDb.scenarioSchema(name);
    this.workerUrl = workerUrl;
    this.workerSkewMillis = workerSkewMillis;
    this.concurrency = concurrency;
    this.slots = new WorkerProcess[workers];
    this.logDir = Path.of("target", "chaos-logs", name);
    deleteOldLogs(logDir);
    ledgerDb.dropScenario(ledgerSchema);
    this.node =
        Keel.builder()
            .fromEnvironment(keelEnvironment(target, target.url()), StartupMode.FAIL_FAST)
            .register(
                ChaosJobs.type(
                    ctx -> {
                      throw new IllegalStateException("the test's node never runs jobs");
                    }))
            .build();
    // Create the ledger table now, so that reads work before any worker wrote.
    Ledger.open(
            LedgerDatabase.location().jdbcUrl(),
            LedgerDatabase.location().user(),
            LedgerDatabase.location().password(),
            ledgerSchema,
            1)
        .close();
    if (workersRunMaintenance) {
      // Not even one run here: the node's lock would outlive it by Keel.maintenance's minute.
      extraWorkerEnvironment.put(
          "CHAOS_MAINTENANCE_MILLIS", Long.toString(ChaosSettings.MAINTENANCE_INTERVAL.toMillis()));
    } else {
      maintenanceTimer.scheduleWithFixedDelay(
          this::maintenance,
          0,
          ChaosSettings.MAINTENANCE_INTERVAL.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  private static void deleteOldLogs(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the old worker logs in " + dir, e);
    }
  }

  static Scenario of(String name, Target target, LedgerDatabase ledger, int workers) {
    return new Scenario(name, target, ledger, workers, 4, i -> target.url(), i -> 0L, false);
  }

  /**
   * A scenario whose workers run maintenance (every {@link ChaosSettings#MAINTENANCE_INTERVAL}, as
   * a production deployment does) instead of the test's node, so that a kill may hit the holder of
   * the maintenance lock; the rescue bound then includes the lock's TTL.
   */
  static Scenario withMaintenanceInWorkers(
      String name, Target target, LedgerDatabase ledger, int workers) {
    return new Scenario(name, target, ledger, workers, 4, i -> target.url(), i -> 0L, true);
  }

  static Map<String, String> keelEnvironment(Target target, String url) {
    Map<String, String> env = new HashMap<>();
    env.put("KEEL_BACKEND", target.backend());
    if (target.backend().equals("postgres")) {
      env.put("KEEL_DATABASE_URL", url);
      env.put("KEEL_DATABASE_SCHEMA", target.schema());
    } else {
      env.put("KEEL_REDIS_URL", url);
      env.put("KEEL_REDIS_NAMESPACE", target.schema());
    }
    return env;
  }

  private void maintenance() {
    try {
      maintenanceRescued.addAndGet(node.maintenance("chaos-test-node").rescued());
    } catch (RuntimeException e) {
      // Expected while a server is down or read-only; the next run tries again.
      maintenanceFailures.incrementAndGet();
      noteNodeError("maintenance", e);
    }
  }

  private void noteNodeError(String what, RuntimeException e) {
    String msg = what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
    if (!msg.equals(lastNodeError)) {
      lastNodeError = msg;
      System.err.println("[" + name + "] test node " + msg);
    }
  }

  // ---- workers ---------------------------------------------------------------------------

  /** More variables for every worker process started from now on (the outbox scenario's). */
  final Map<String, String> extraWorkerEnvironment = new ConcurrentHashMap<>();

  private Map<String, String> workerEnvironment(int slot) {
    Map<String, String> env = new LinkedHashMap<>(extraWorkerEnvironment);
    env.put("CHAOS_BACKEND", target.backend());
    env.put("CHAOS_BACKEND_URL", workerUrl.apply(slot));
    env.put("CHAOS_BACKEND_SCHEMA", target.schema());
    env.put("CHAOS_LEDGER_JDBC_URL", LedgerDatabase.location().jdbcUrl());
    if (LedgerDatabase.location().user() != null) {
      env.put("CHAOS_LEDGER_USER", LedgerDatabase.location().user());
    }
    ledgerDb.password().ifPresent(p -> env.put("CHAOS_LEDGER_PASSWORD", p));
    env.put("CHAOS_LEDGER_SCHEMA", ledgerSchema);
    env.put("CHAOS_LEASE_MILLIS", Long.toString(ChaosSettings.LEASE.toMillis()));
    env.put("CHAOS_POLL_MILLIS", Long.toString(ChaosSettings.POLL.toMillis()));
    env.put("CHAOS_CONCURRENCY", Integer.toString(concurrency));
    env.put("CHAOS_CLOCK_SKEW_MILLIS", Long.toString(workerSkewMillis.apply(slot)));
    return env;
  }

  /** Starts every worker slot and waits until all run. */
  Scenario startWorkers() {
    List<WorkerProcess> started = new ArrayList<>();
    for (int i = 0; i < slots.length; i++) {
      started.add(spawn(i));
    }
    started.forEach(WorkerProcess::awaitReady);
    return this;
  }

  private WorkerProcess spawn(int slot) {
    String wname = "w" + slot + "-" + generation.incrementAndGet();
    WorkerProcess w = WorkerProcess.start(wname, workerEnvironment(slot), logDir, events);
    slots[slot] = w;
    allProcesses.add(w);
    return w;
  }

  int workers() {
    return slots.length;
  }

  WorkerProcess worker(int slot) {
    return slots[slot];
  }

  /** SIGKILL the worker in {@code slot}, watch its in-flight jobs being rescued, restart it. */
  void killAndRestart(int slot) {
    killAndRestart(slot, null);
  }

  /**
   * As {@link #killAndRestart(int)}; {@code lockHolder}, if given, reads the maintenance lock's
   * owner right after the kill. The dead worker cannot renew the lock, so if the owner is still its
   * id the kill hit the holder, whether it was aimed at it or not, and is recorded in {@link
   * #holderKills}.
   */
  void killAndRestart(int slot, java.util.function.Supplier<Optional<String>> lockHolder) {
    WorkerProcess w = slots[slot];
    Instant at = w.kill();
    if (lockHolder != null
        && lockHolder.get().filter(h -> h.equals(w.name() + "-" + w.pid())).isPresent()) {
      holderKills.add(at);
    }
    recordFault("SIGKILL", w, at);
    watchRescue(w.pid(), at);
    spawn(slot).awaitReady();
  }

  void recordFault(String kind, WorkerProcess w, Instant at) {
    faults.add(new Fault(kind, w.name(), w.pid(), at));
    faultedPids.add(w.pid());
    if (!kind.equals("SIGKILL")) {
      pausedPids.add(w.pid());
    }
  }

  /** A fault of the server, which every worker lives through. */
  void recordServerFault(String kind) {
    faults.add(new Fault(kind, "server", 0, Instant.now()));
    for (WorkerProcess w : allProcesses) {
      faultedPids.add(w.pid());
    }
  }

  /**
   * Watches the executions {@code pid} had in flight at {@code at}: each must leave RUNNING under
   * that lease (rescued) within the bound; the time it took is a rescue time. An execution whose
   * success was stored just before the fault is not a rescue.
   */
  void watchRescue(long pid, Instant at) {
    List<InFlight> inFlight = inFlight(pid, at);
    for (InFlight f : inFlight) {
      background.execute(() -> pollUntilRescued(f, at, pid));
    }
  }

  private void pollUntilRescued(InFlight f, Instant at, long pid) {
    Instant giveUp = at.plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(giveUp)) {
      Optional<Job> job;
      try {
        job = node.client().find(f.jobId());
      } catch (RuntimeException e) {
        noteNodeError("find", e); // the server may be down in this scenario; ask again
        sleep(100);
        continue;
      }
      if (job.isEmpty()) {
        violations.add("job " + f.jobId() + " vanished while its worker " + pid + " was faulted");
        return;
      }
      Job j = job.get();
      boolean stillHeld = j.state() == JobState.RUNNING && f.token().equals(j.leaseToken());
      if (!stillHeld) {
        boolean storedBeforeFault = j.state() == JobState.SUCCEEDED && j.attempt() == f.attempt();
        if (!storedBeforeFault) {
          rescues.add(new Rescue(at, Duration.between(at, Instant.now())));
        }
        return;
      }
      sleep(100);
    }
    violations.add(
        "job "
            + f.jobId()
            + " still RUNNING under the lease of faulted worker "
            + pid
            + " 60 s after the fault");
  }

  /**
   * What {@code pid} held at {@code at}: the jobs the backend shows RUNNING under its worker id
   * (prefetched ones included), plus the executions the ledger shows started shortly before whose
   * success was not reported.
   */
  List<InFlight> inFlight(long pid, Instant at) {
    List<InFlight> result = new ArrayList<>(ledgerInFlight(pid, at));
    Set<String> tokens = new HashSet<>();
    result.forEach(f -> tokens.add(f.token()));
    String suffix = "-" + pid;
    try {
      for (Job j : all(JobQuery.tenant("default").withStates(JobState.RUNNING))) {
        if (j.leaseOwner() != null
            && j.leaseOwner().endsWith(suffix)
            && j.leaseToken() != null
            && tokens.add(j.leaseToken())) {
          result.add(new InFlight(j.id(), j.attempt(), j.leaseToken()));
        }
      }
    } catch (RuntimeException e) {
      noteNodeError("listing the faulted worker's leases", e); // the ledger's view remains
    }
    return result;
  }

  /** Executions of {@code pid} started shortly before {@code at} whose success was not reported. */
  private List<InFlight> ledgerInFlight(long pid, Instant at) {
    Set<String> succeeded = new HashSet<>();
    synchronized (events) {
      for (WorkerProcess.Event e : events) {
        if (e.pid() == pid && e.kind().equals("SUCCEEDED")) {
          succeeded.add(e.token());
        }
      }
    }
    List<InFlight> result = new ArrayList<>();
    String sql =
        "SELECT DISTINCT job_id, attempt, lease_token FROM \""
            + ledgerSchema
            + "\".ledger WHERE pid = ? AND phase = 'started' AND at > ?";
    try (Connection c = LedgerDatabase.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, pid);
      ps.setTimestamp(2, Timestamp.from(at.minusSeconds(5)));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String token = rs.getString(3);
          if (!succeeded.contains(token)) {
            result.add(new InFlight(rs.getObject(1, UUID.class), rs.getInt(2), token));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the ledger " + ledgerSchema, e);
    }
    return result;
  }

  // ---- jobs ------------------------------------------------------------------------------

  /** Enqueues {@code n} plain jobs in batches, before the faults start. */
  void enqueueBulk(int n) {
    List<JobRequest<Map<String, Object>>> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(JobRequest.of(ChaosJobs.TYPE, Map.<String, Object>of("n", i)));
      if (batch.size() == 500 || i == n - 1) {
        for (EnqueueResult r : node.client().enqueueAll(batch)) {
          bulkIds.add(r.id());
        }
        batch.clear();
      }
    }
  }

  /**
   * While the faults run: every 20 ms, enqueue one of {@code keys} idempotency keys again (same
   * payload per key), and every 300 ms check that no key has two live (PENDING or RUNNING) jobs.
   */
  void startIdempotentLoad(int keys) {
    idempotentLoad = true;
    background.execute(
        () -> {
          while (idempotentLoad) {
            int k = ThreadLocalRandom.current().nextInt(keys);
            String key = "idem-" + k;
            try {
              EnqueueResult r =
                  node.client()
                      .enqueue(
                          JobRequest.of(ChaosJobs.TYPE, Map.<String, Object>of("key", k))
                              .withQueue(ChaosJobs.IDEMPOTENT_QUEUE)
                              .withIdempotencyKey(key));
              idempotentIds.computeIfAbsent(key, x -> ConcurrentHashMap.newKeySet()).add(r.id());
              idempotentEnqueues.incrementAndGet();
            } catch (RuntimeException e) {
              idempotentEnqueueFailures.incrementAndGet(); // a server fault; counted, reported
              noteNodeError("idempotent enqueue", e);
            }
            sleep(20);
          }
        });
    sampler.scheduleWithFixedDelay(this::sampleLiveKeys, 300, 300, TimeUnit.MILLISECONDS);
  }

  void stopIdempotentLoad() {
    idempotentLoad = false;
  }

  private void sampleLiveKeys() {
    Map<String, List<UUID>> live = new HashMap<>();
    try {
      for (Job j :
          all(
              JobQuery.tenant("default")
                  .withQueue(ChaosJobs.IDEMPOTENT_QUEUE)
                  .withStates(JobState.PENDING, JobState.RUNNING))) {
        live.computeIfAbsent(j.idempotencyKey(), k -> new ArrayList<>()).add(j.id());
      }
    } catch (RuntimeException e) {
      noteNodeError("live-key sample", e);
      return;
    }
    live.forEach(
        (key, ids) -> {
          if (ids.size() > 1) {
            violations.add("idempotency key " + key + " had " + ids.size() + " live jobs: " + ids);
          }
        });
  }

  /** Every job the query matches, page by page. */
  List<Job> all(JobQuery query) {
    List<Job> jobs = new ArrayList<>();
    JobQuery q = query.withLimit(JobQuery.MAX_LIMIT);
    while (true) {
      JobPage page = node.client().list(q);
      jobs.addAll(page.jobs());
      if (page.next().isEmpty()) {
        return jobs;
      }
      q = q.withAfter(page.next().get());
    }
  }

  /** Every known job id: the bulk jobs and every id an idempotent enqueue returned. */
  Set<UUID> expectedIds() {
    Set<UUID> ids = new HashSet<>(bulkIds);
    idempotentIds.values().forEach(ids::addAll);
    return ids;
  }

  /** Waits until no job is PENDING or RUNNING (the faults must be over). */
  void awaitQuiet() {
    await("every job of " + name + " finished")
        .atMost(ChaosSettings.completion())
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                all(JobQuery.tenant("default").withStates(JobState.PENDING, JobState.RUNNING))
                    .isEmpty());
  }

  /** Runs {@code faults} at random moments until every job is done or the faults are used up. */
  int injectUntilDone(int faults, Duration minGap, Duration maxGap, Runnable fault) {
    int injected = 0;
    while (injected < faults) {
      long gap = ThreadLocalRandom.current().nextLong(minGap.toMillis(), maxGap.toMillis() + 1);
      sleep(gap);
      if (remaining() == 0) {
        break;
      }
      fault.run();
      injected++;
    }
    return injected;
  }

  /** Jobs not yet finished (cheap: from the health snapshot). */
  long remaining() {
    try {
      var h = node.health();
      return h.count(JobState.PENDING) + h.count(JobState.RUNNING);
    } catch (RuntimeException e) {
      noteNodeError("health", e);
      return Long.MAX_VALUE;
    }
  }

  /** The number of ledger rows, for progress-based fault timing. */
  long ledgerRows() {
    return TestSql.queryLong(
        LedgerDatabase.dataSource(), "SELECT count(*) FROM \"" + ledgerSchema + "\".ledger");
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  Path logDir() {
    return logDir;
  }

  /** Drops the ledger schema (after a passing check; a failing one keeps it for inspection). */
  void dropLedger() {
    ledgerDb.dropScenario(ledgerSchema);
  }

  @Override
  public void close() {
    idempotentLoad = false;
    sampler.shutdownNow();
    background.shutdownNow();
    maintenanceTimer.shutdownNow();
    for (WorkerProcess w : allProcesses) {
      w.destroy();
    }
    try {
      background.awaitTermination(10, TimeUnit.SECONDS);
      maintenanceTimer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    node.close();
  }
}
