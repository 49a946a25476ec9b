package dev.keel.queue.internal;

import dev.keel.queue.Job;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobType;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.WakeupListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's moving parts: one fetcher thread claims for every queue in batches sized to free
 * capacity; lanes run handlers with per-queue concurrency; one heartbeat call per interval covers
 * every lease; finishes are coalesced by a {@link FinishBatcher}; maintenance runs on a timer.
 */
public final class WorkerEngine {
  private static final Logger log = LoggerFactory.getLogger(WorkerEngine.class);

  /** Adaptive prefetch aims to keep this much work claimed ahead per slot. */
  static final Duration PREFETCH_TARGET = Duration.ofMillis(50);

  /**
   * Adaptive prefetch never holds more than this many claimed-ahead jobs per lane. The time target
   * above is what bounds it for real handlers; this bound is for handlers so fast (well under a
   * millisecond) that the target would ask for thousands: it keeps memory and the jobs one worker
   * holds bounded, while a claim of a few hundred rows still spreads its round trip thin enough
   * that the database, not the claim latency, sets the pace.
   */
  static final int MAX_PREFETCH = 512;

  private final KeelRuntime rt;
  private final WorkerConfig cfg;
  private final QueueBackend backend;
  // By job id. A stale attempt of a job this worker claimed again after a rescue is replaced here
  // by the current one, so removals name the entry (remove(id, rj)): the stale one's end must not
  // drop the current attempt, which would then go unheartbeated and be rescued while it runs.
  private final Map<UUID, RunningJob> active = new ConcurrentHashMap<>();
  private final Map<String, Lane> lanes = new LinkedHashMap<>();
  private final WakeSignal wake = new WakeSignal();
  private final FinishBatcher finisher;

  /** The custom or virtual-thread executor shared by all lanes; null for platform threads. */
  private final ExecutorService sharedExecutor;

  private final boolean ownsExecutor;
  private final ScheduledExecutorService scheduler;
  private final Thread fetcher;
  private volatile boolean claiming = true;
  private Subscription subscription;
  private ScheduledFuture<?> heartbeatTask;
  private ScheduledFuture<?> maintenanceTask;
  private volatile boolean schedulerAttached;

  public WorkerEngine(KeelRuntime rt, WorkerConfig cfg) {
    this.rt = rt;
    this.cfg = cfg;
    this.backend = rt.backend();
    if (cfg.executor() != null) {
      sharedExecutor = cfg.executor();
      ownsExecutor = false;
    } else if (cfg.virtualThreads()) {
      sharedExecutor = VirtualThreads.newExecutor();
      ownsExecutor = true;
    } else {
      sharedExecutor = null;
      ownsExecutor = true;
    }
    cfg.queues().forEach((q, c) -> lanes.put(q, new Lane(q, c)));
    // Two threads, so that a long maintenance run never delays a heartbeat.
    scheduler = Executors.newScheduledThreadPool(2, named("keel-" + cfg.id() + "-timer-", true));
    int maxBatch = Math.max(1, backend.capabilities().maxBatchSize());
    finisher =
        new FinishBatcher(
            backend,
            Math.min(maxBatch, 1000),
            rt.listeners(),
            rt.blocked(),
            this::stored,
            "keel-" + cfg.id() + "-finisher");
    fetcher = new Thread(this::fetchLoop, "keel-" + cfg.id() + "-fetcher");
    fetcher.setDaemon(true);
  }

  public void start() {
    finisher.start();
    subscription =
        backend.subscribe(
            new WakeupListener() {
              @Override
              public void jobsAvailable(String queue) {
                Lane lane = lanes.get(queue);
                if (lane != null) {
                  lane.backlog = true;
                  wake.raise();
                }
              }

              @Override
              public void signalsMayHaveBeenMissed() {
                lanes.values().forEach(lane -> lane.backlog = true);
                wake.raise();
              }
            });
    heartbeatTask =
        scheduler.scheduleWithFixedDelay(
            new Heartbeater(backend, cfg.leaseDuration(), this::heartbeatable),
            cfg.heartbeatInterval().toMillis(),
            cfg.heartbeatInterval().toMillis(),
            TimeUnit.MILLISECONDS);
    if (cfg.maintenance()) {
      maintenanceTask =
          scheduler.scheduleWithFixedDelay(
              () -> rt.maintenance().runSafely(cfg.id(), cfg.maintenanceInterval()),
              0,
              cfg.maintenanceInterval().toMillis(),
              TimeUnit.MILLISECONDS);
    }
    fetcher.start();
    if (cfg.schedules() && rt.backend().capabilities().schedules()) {
      schedulerAttached = true;
      rt.scheduler().attach(cfg.id());
    }
    log.info(
        "Keel worker {} started: queues={} prefetch={} lease={} heartbeat={} poll={} grace={} threads={} maintenance={} backend={}",
        cfg.id(),
        cfg.queues(),
        cfg.prefetch(),
        cfg.leaseDuration(),
        cfg.heartbeatInterval(),
        cfg.pollInterval(),
        cfg.shutdownGrace(),
        cfg.virtualThreads() ? "virtual" : cfg.executor() != null ? "custom" : "platform",
        cfg.maintenance(),
        backend.capabilities().name());
  }

  public int activeJobs() {
    return active.size();
  }

  private Collection<RunningJob> heartbeatable() {
    return active.values();
  }

  private void fetchLoop() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30));
    Set<String> handled = new HashSet<>(rt.types().keySet());
    Set<String> include =
        new HashSet<>(cfg.includeTypes().isEmpty() ? handled : cfg.includeTypes());
    // The callback of ctx.children runs in the parent's queue on whichever node claims it.
    include.add(ChildJobs.TYPE);
    include.retainAll(handled);
    include.removeAll(cfg.excludeTypes());
    ClaimPlanner planner =
        new ClaimPlanner(include, cfg.typeConcurrency(), cfg.typeQuota(), cfg.priorityClass());
    while (claiming) {
      boolean maybeMore = false;
      try {
        for (Lane lane : lanes.values()) {
          if (!claiming) {
            break;
          }
          int free = lane.free();
          if (!lane.worthClaiming(free)) {
            continue;
          }
          // Cleared before the claim, so a notification that arrives meanwhile keeps it raised.
          // Not with per-type limits: a type held back by its concurrency limit has jobs waiting
          // however short the claim came back, and a freed slot must claim them at once.
          if (planner.unlimited()) {
            lane.backlog = false;
          }
          int got =
              planner.run(free, activeByType(), (types, limit) -> claimInto(lane, types, limit));
          // A full round means more may be waiting: claim again at once instead of waiting.
          maybeMore |= got == free;
        }
        backoff.reset();
        if (!maybeMore) {
          wake.await(cfg.pollInterval());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        Duration wait = backoff.next();
        log.warn(
            "Worker {} could not claim jobs (failure {} in a row); retrying in {}",
            cfg.id(),
            backoff.failures(),
            wait,
            e);
        try {
          wake.await(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private int claimInto(Lane lane, Set<String> types, int requested) {
    int limit = Math.max(1, Math.min(requested, backend.capabilities().maxBatchSize()));
    long sent = System.nanoTime();
    List<Job> jobs =
        backend
            .claim(
                new ClaimRequest(
                    cfg.id(),
                    Set.of(lane.queue),
                    types,
                    Set.of(),
                    cfg.tenant(),
                    limit,
                    cfg.leaseDuration()))
            .jobs();
    if (jobs.size() >= limit) {
      lane.backlog = true;
    }
    for (Job job : jobs) {
      lane.dispatch(job, sent);
    }
    return jobs.size();
  }

  private Map<String, Integer> activeByType() {
    if (cfg.typeConcurrency().isEmpty()) {
      return Map.of();
    }
    Map<String, Integer> counts = new java.util.HashMap<>();
    for (RunningJob rj : active.values()) {
      counts.merge(rj.job().type(), 1, Integer::sum);
    }
    return counts;
  }

  private void stored(RunningJob rj) {
    active.remove(rj.job().id(), rj);
    if (!cfg.typeConcurrency().isEmpty() || rj.job().concurrencyKey() != null) {
      // A job counts against its type's limit until its result is stored (see activeByType), so
      // only now may the next job of that type be claimed: without this wake-up it waited for the
      // next poll. Likewise a concurrency key: its slot is free on the backend once the result is
      // stored, and a job of that key a claim passed over may be waiting.
      wake.raise();
    }
  }

  /**
   * Stops claiming, releases jobs that never started, waits up to the grace period for running
   * handlers, interrupts what is left, stores every result that exists and stops the threads.
   */
  public void stop() throws InterruptedException {
    try {
      if (schedulerAttached) {
        schedulerAttached = false;
        // No new fires from a node that is going away; the other nodes keep firing.
        rt.scheduler().detach();
      }
      drainForShutdown();
    } finally {
      // Whatever happened above, no thread of this worker may outlive it.
      if (heartbeatTask != null) {
        heartbeatTask.cancel(false);
      }
      if (maintenanceTask != null) {
        maintenanceTask.cancel(false);
      }
      scheduler.shutdownNow();
      if (cfg.maintenance()) {
        rt.maintenance().unlockSafely(cfg.id());
      }
      for (Lane lane : lanes.values()) {
        if (lane.executor != sharedExecutor) {
          lane.executor.shutdownNow();
        }
      }
      if (ownsExecutor && sharedExecutor != null) {
        sharedExecutor.shutdownNow();
      }
    }
    if (!active.isEmpty()) {
      log.warn(
          "Worker {} stopped with {} jobs still running; they will be rescued when their leases expire: {}",
          cfg.id(),
          active.size(),
          active.keySet());
    }
    log.info("Keel worker {} stopped", cfg.id());
  }

  private void drainForShutdown() throws InterruptedException {
    claiming = false;
    wake.raise();
    fetcher.join(cfg.shutdownGrace().toMillis() + 5_000);
    if (subscription != null) {
      try {
        subscription.close();
      } catch (RuntimeException e) {
        log.warn("Worker {}: closing its wake-up subscription failed", cfg.id(), e);
      }
    }
    releaseUnstarted();
    long deadline = System.nanoTime() + cfg.shutdownGrace().toNanos();
    for (Lane lane : lanes.values()) {
      lane.awaitIdle(deadline);
    }
    int interrupted = 0;
    for (RunningJob rj : active.values()) {
      if (rj.started() && !rj.finishing()) {
        rj.requestStop(StopReason.SHUTDOWN);
        interrupted++;
      }
    }
    if (interrupted > 0) {
      log.warn(
          "Worker {}: grace period {} over; interrupted {} running handlers",
          cfg.id(),
          cfg.shutdownGrace(),
          interrupted);
      long hard = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      for (Lane lane : lanes.values()) {
        lane.awaitIdle(hard);
      }
    }
    if (!finisher.stop(Duration.ofSeconds(30))) {
      log.error(
          "Worker {}: results still not stored after 30 s; those jobs will be rescued when their leases expire",
          cfg.id());
    }
  }

  private void releaseUnstarted() {
    List<RunningJob> released = new ArrayList<>();
    for (RunningJob rj : active.values()) {
      if (rj.tryRelease()) {
        released.add(rj);
      }
    }
    if (!released.isEmpty()) {
      release(released);
      log.info(
          "Worker {} released {} prefetched jobs that never started", cfg.id(), released.size());
    }
  }

  /** Returns claimed jobs that never started to PENDING (no attempt used) and frees their slots. */
  private void release(List<RunningJob> released) {
    for (List<RunningJob> chunk : chunks(released)) {
      List<Finish> finishes = new ArrayList<>(chunk.size());
      for (RunningJob rj : chunk) {
        finishes.add(new Finish.Release(rj.lease()));
      }
      try {
        var result = backend.finish(new FinishRequest(finishes));
        for (RunningJob rj : chunk) {
          if (result.isApplied(rj.job().id())) {
            rt.listeners().fire(new JobEvent.Released(rj.job()));
          }
        }
      } catch (RuntimeException e) {
        log.warn(
            "Worker {} could not release {} jobs; they return to PENDING when their leases expire",
            cfg.id(),
            chunk.size(),
            e);
      }
      for (RunningJob rj : chunk) {
        active.remove(rj.job().id(), rj);
        lanes.get(rj.job().queue()).done();
      }
    }
  }

  /** Splits a list into calls no larger than the backend accepts. */
  private <T> List<List<T>> chunks(List<T> all) {
    int size = Math.max(1, Math.min(1_000, backend.capabilities().maxBatchSize()));
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += size) {
      out.add(all.subList(i, Math.min(all.size(), i + size)));
    }
    return out;
  }

  /**
   * One queue's concurrency: at most {@code concurrency} handlers, plus prefetched jobs. With
   * platform threads each lane has its own pool, so a lane's waiting jobs never hold another lane's
   * threads; the semaphore enforces the limit on shared executors too.
   */
  private final class Lane {
    final String queue;
    final int concurrency;
    final Semaphore running;
    final ExecutorService executor;
    final AtomicInteger claimed = new AtomicInteger();

    Lane(String queue, int concurrency) {
      this.queue = queue;
      this.concurrency = concurrency;
      this.running = new Semaphore(concurrency);
      this.executor =
          sharedExecutor != null
              ? sharedExecutor
              : Executors.newFixedThreadPool(
                  concurrency, named("keel-" + cfg.id() + "-" + queue + "-", false));
    }

    /**
     * Whether due jobs may be waiting for this lane: its last claim filled what it asked for, or a
     * new-job notification came in since it started. Polling claims regardless, as the safety net.
     */
    volatile boolean backlog = true;

    /** Mean handler run time of this lane (exponentially weighted), or -1 before the first job. */
    private volatile double meanNanos = -1;

    int capacity() {
      return concurrency + (cfg.prefetch() >= 0 ? cfg.prefetch() : adaptivePrefetch());
    }

    /**
     * Prefetch sized to handler speed: enough claimed-ahead jobs to cover about {@link
     * #PREFETCH_TARGET} of work per slot, between none and {@link #MAX_PREFETCH} or the backend's
     * {@link dev.keel.queue.spi.BackendCapabilities#preferredClaimSize}, whichever is smaller. Fast
     * handlers get deep batches (one round trip for hundreds of jobs); slow ones get no prefetch,
     * so their jobs are not held back from idle workers elsewhere.
     */
    int adaptivePrefetch() {
      double mean = meanNanos;
      int cap = Math.min(MAX_PREFETCH, backend.capabilities().preferredClaimSize());
      if (mean < 0) {
        return Math.min(concurrency, cap);
      }
      double perSlot = PREFETCH_TARGET.toNanos() / Math.max(mean, 1.0);
      return (int) Math.min(cap, Math.round(concurrency * perSlot));
    }

    void recordDuration(long nanos) {
      double mean = meanNanos;
      meanNanos = mean < 0 ? nanos : mean * 0.9 + nanos * 0.1;
    }

    int free() {
      return capacity() - claimed.get();
    }

    /**
     * Claim when at least half the lane is free, or when it is empty. Claiming for every single
     * freed slot would cost one round trip per job; batching them is what makes a worker fast, and
     * prefetch keeps handlers busy meanwhile.
     */
    boolean worthClaiming(int free) {
      return free > 0 && (free >= Math.max(1, capacity() / 2) || claimed.get() == 0);
    }

    void dispatch(Job job, long claimSentNanos) {
      JobType<?> type = rt.types().get(job.type());
      RunningJob rj = new RunningJob(job, type);
      rj.leaseConfirmed(claimSentNanos, cfg.leaseDuration());
      claimed.incrementAndGet();
      active.put(job.id(), rj);
      try {
        executor.execute(() -> runLane(rj));
      } catch (RuntimeException e) {
        // The executor refused it (bounded queue, shut down): give the job back right away,
        // without using an attempt, instead of holding its lease and lane slot.
        log.warn(
            "Worker {} could not hand job {} to its executor; releasing it", cfg.id(), job.id(), e);
        if (rj.tryRelease()) {
          release(List.of(rj));
        }
      }
    }

    private void runLane(RunningJob rj) {
      try {
        running.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.debug(
            "Worker {} interrupted before starting job {}; it will be released",
            cfg.id(),
            rj.job().id(),
            e);
        return;
      }
      if (!rj.tryStart()) {
        // Released by shutdown, which already gave its lane slot back.
        running.release();
        return;
      }
      try {
        Completion c;
        long start = System.nanoTime();
        try {
          c = rt.execution().run(rj);
          recordDuration(System.nanoTime() - start);
        } catch (Error e) {
          // The JVM is in trouble (out of memory...): leave the lease to expire so the job is
          // rescued and run again, rather than storing an outcome we cannot trust.
          log.error(
              "Job {} ({}) hit a fatal error; it will be rescued when its lease expires",
              rj.job().id(),
              rj.job().type(),
              e);
          active.remove(rj.job().id(), rj);
          throw e;
        }
        if (c.finish() == null) {
          rt.listeners().fire(c.event());
          active.remove(rj.job().id(), rj);
        } else {
          finisher.submit(c);
        }
      } finally {
        running.release();
        done();
      }
    }

    /**
     * A slot came free. The fetcher is woken for it only when jobs may be waiting (see {@link
     * #backlog}): after a claim that came back short, a freed slot would only buy an empty claim,
     * one wasted round trip per job that also kept the fetcher busy when the next job's
     * notification came in.
     */
    void done() {
      claimed.decrementAndGet();
      if (backlog) {
        wake.raise();
      }
    }

    /** Waits until no handler of this lane runs (all permits free), or the deadline. */
    void awaitIdle(long deadlineNanos) throws InterruptedException {
      while (System.nanoTime() < deadlineNanos) {
        if (running.tryAcquire(concurrency, 50, TimeUnit.MILLISECONDS)) {
          running.release(concurrency);
          return;
        }
      }
    }
  }

  static ThreadFactory named(String prefix, boolean daemon) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(daemon);
      return t;
    };
  }
}
