package dev.keel.queue.internal;

import dev.keel.queue.Job;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces the finishes of a worker's jobs into one backend call per batch, on its own thread. A
 * failed call is retried with backoff, keeping its batch: while it retries, the jobs stay in the
 * active set and keep being heartbeated, so nothing is lost and nothing is rescued meanwhile.
 */
final class FinishBatcher {
  private static final Logger log = LoggerFactory.getLogger(FinishBatcher.class);
  private static final Completion POISON = new Completion(null, null, null);

  /** Consecutive failures of one batch before its results are stored one by one. */
  static final int ISOLATE_AFTER_FAILURES = 5;

  private final QueueBackend backend;
  private final int maxBatch;
  private final Listeners listeners;
  private final BlockedJobs blocked;
  private final Consumer<RunningJob> onStored;
  private final BlockingQueue<Completion> queue = new LinkedBlockingQueue<>();
  private final Thread thread;

  FinishBatcher(
      QueueBackend backend,
      int maxBatch,
      Listeners listeners,
      BlockedJobs blocked,
      Consumer<RunningJob> onStored,
      String name) {
    this.blocked = blocked;
    this.backend = backend;
    this.maxBatch = maxBatch;
    this.listeners = listeners;
    this.onStored = onStored;
    this.thread = new Thread(this::loop, name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void submit(Completion c) {
    c.job().markFinishing();
    queue.add(c);
  }

  /** Stores everything submitted so far, then stops; waits up to {@code max}. */
  boolean stop(Duration max) throws InterruptedException {
    queue.add(POISON);
    thread.join(max.toMillis());
    return !thread.isAlive();
  }

  private void loop() {
    List<Completion> batch = new ArrayList<>();
    boolean stopping = false;
    Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5));
    while (!stopping || !batch.isEmpty()) {
      try {
        if (batch.isEmpty()) {
          Completion first = queue.poll(1, TimeUnit.SECONDS);
          if (first == null) {
            continue;
          }
          batch.add(first);
        }
        queue.drainTo(batch, maxBatch - batch.size());
        if (batch.remove(POISON)) {
          stopping = true;
        }
        if (!batch.isEmpty()) {
          // After a failed try, the backend may have applied the batch before the answer was lost.
          store(batch, backoff.failures() > 0);
          batch.clear();
        }
        backoff.reset();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.error(
            "Finish batcher interrupted with {} results not stored; their leases will expire and the jobs will be rescued",
            batch.size(),
            e);
        return;
      } catch (RuntimeException e) {
        if (backoff.failures() >= ISOLATE_AFTER_FAILURES
            && (batch.size() > 1 ? storeOneByOne(batch) : refusedForGood(batch, e))) {
          batch.clear();
          backoff.reset();
          continue;
        }
        Duration wait = backoff.next();
        log.warn(
            "Could not store {} job results (attempt {}); retrying in {}",
            batch.size(),
            backoff.failures(),
            wait,
            e);
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          log.error(
              "Finish batcher interrupted while retrying; {} results not stored, their jobs will be rescued",
              batch.size(),
              ie);
          return;
        }
      }
    }
  }

  /**
   * Maybe one result is refused for good and blocks the batch: store the results one by one. If
   * some get through, the backend is up and the ones it refuses are dropped; if none does, the
   * backend is down, and the whole batch is kept for the next try.
   *
   * @return true if the batch is done with
   */
  private boolean storeOneByOne(List<Completion> batch) {
    List<Completion> refused = new ArrayList<>();
    RuntimeException last = null;
    for (Completion c : batch) {
      try {
        store(new ArrayList<>(List.of(c)), true);
      } catch (RuntimeException e) {
        refused.add(c);
        last = e;
      }
    }
    if (refused.size() == batch.size()) {
      return false;
    }
    if (!refused.isEmpty()) {
      dropUnstorable(refused, last);
    }
    return true;
  }

  /**
   * A lone result that keeps failing: if the backend answers a ping, it is up and refuses this one
   * result, which is then given up on (as {@link #storeOneByOne} does within a batch); otherwise
   * the backend is down and the result is kept for the next try. Without this, a refused result
   * that happened to arrive alone would be retried forever and its job would never leave the
   * worker.
   */
  private boolean refusedForGood(List<Completion> batch, RuntimeException e) {
    try {
      backend.ping();
    } catch (RuntimeException down) {
      return false;
    }
    dropUnstorable(batch, e);
    return true;
  }

  /**
   * Gives up on results the backend keeps refusing: the jobs leave this worker's active set, their
   * leases expire and maintenance rescues them (retry, or FAILED on the last attempt).
   */
  private void dropUnstorable(List<Completion> batch, RuntimeException e) {
    for (Completion c : batch) {
      log.error(
          "Giving up storing the result of job {} ({}); it will be rescued when its lease expires",
          c.job().job().id(),
          c.job().job().type(),
          e);
      onStored.accept(c.job());
    }
  }

  /**
   * Stores the batch, removing from it every completion whose call was answered, so that when a
   * later call of the same batch fails, only the rest is tried again: an answered result sent again
   * would be refused (its lease is gone) and reported twice.
   */
  private void store(List<Completion> batch, boolean triedBefore) {
    while (!batch.isEmpty()) {
      // Two results of one job (a stale attempt's and the current one, after a rescue gave the
      // job back to this worker) go in separate calls: the backend answers per job id, so in one
      // call the refused stale result would be reported stored too.
      java.util.Map<java.util.UUID, Completion> distinct = new java.util.LinkedHashMap<>();
      for (Completion c : batch) {
        distinct.putIfAbsent(c.job().job().id(), c);
      }
      List<Completion> call = new ArrayList<>(distinct.values());
      storeDistinct(call, triedBefore);
      java.util.Set<Completion> answered =
          java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      answered.addAll(call);
      batch.removeIf(answered::contains);
    }
  }

  private void storeDistinct(List<Completion> unordered, boolean triedBefore) {
    // Id order, like heartbeats, so the two never lock the same rows in opposite orders.
    List<Completion> batch = new ArrayList<>(unordered);
    batch.sort(java.util.Comparator.comparing(c -> c.job().job().id()));
    List<Finish> finishes = new ArrayList<>(batch.size());
    for (Completion c : batch) {
      finishes.add(c.finish());
    }
    FencedResult result = backend.finish(new FinishRequest(finishes));
    blocked.submit(result.toResolve());
    for (Completion c : batch) {
      RunningJob rj = c.job();
      if (result.isApplied(rj.job().id())) {
        listeners.fire(c.event());
      } else if (triedBefore && storedByAnEarlierTry(c)) {
        log.info(
            "Result of job {} ({}) attempt {} was stored by an earlier try whose answer was lost",
            rj.job().id(),
            rj.job().type(),
            rj.job().attempt());
        listeners.fire(c.event());
      } else {
        log.warn(
            "Result of job {} ({}) attempt {} discarded: the lease was lost before it could be stored",
            rj.job().id(),
            rj.job().type(),
            rj.job().attempt());
        listeners.fire(new JobEvent.LeaseLost(rj.job()));
      }
      onStored.accept(rj);
    }
  }

  /**
   * Whether a success refused now was stored by an earlier try of the same call, whose answer the
   * connection lost: the backend clears the lease token when it stores a result, so the resent
   * success finds no lease to fence on. The job then is SUCCEEDED in the same attempt with the same
   * start time as this worker's claim; any other claim, even one of the same attempt number (a
   * claim lost in a PostgreSQL crash is made again), starts at another time. Only a success can be
   * told apart this way: a rescue of the expired lease also leaves a job PENDING or FAILED in the
   * same attempt, so other refused results stay reported as discarded.
   */
  private boolean storedByAnEarlierTry(Completion c) {
    if (!(c.finish() instanceof Finish.Succeed)) {
      return false;
    }
    Job mine = c.job().job();
    try {
      return backend
          .find(new JobRef(mine.tenant(), mine.id()))
          .filter(
              stored ->
                  stored.state() == JobState.SUCCEEDED
                      && stored.attempt() == mine.attempt()
                      && stored.startedAt() != null
                      && stored.startedAt().equals(mine.startedAt()))
          .isPresent();
    } catch (RuntimeException e) {
      log.warn(
          "Could not read job {} to learn whether an earlier try stored its success; reporting it discarded",
          mine.id(),
          e);
      return false;
    }
  }
}
