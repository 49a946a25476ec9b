package dev.keel.queue.internal;

import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.ResolveRequest;
import dev.keel.queue.spi.ResolveResult;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands ended jobs to {@link QueueBackend#resolveBlocked}: the jobs waiting for them (dependencies,
 * batch callbacks) are released or ended there, atomically. Workers submit their ended jobs here
 * and go on; one thread per {@code Keel} coalesces them into few backend calls. A call that fails
 * is retried with backoff, and the maintenance sweep finds anything left behind (a node that
 * stopped before its call), so a failure here delays a release but never loses it.
 */
public final class BlockedJobs {
  private static final Logger log = LoggerFactory.getLogger(BlockedJobs.class);
  static final int MAX_PER_CALL = 1_000;

  private final QueueBackend backend;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Set<UUID> pending = new HashSet<>();
  private Thread thread;
  private boolean closed;

  public BlockedJobs(QueueBackend backend) {
    this.backend = backend;
  }

  /** Resolves in the background, soon; for worker threads. */
  public void submit(Set<UUID> ended) {
    if (ended.isEmpty()) {
      return;
    }
    lock.lock();
    try {
      if (closed) {
        log.warn(
            "Keel is closed: {} ended jobs not resolved here; the maintenance sweep of another node"
                + " resolves them",
            ended.size());
        return;
      }
      pending.addAll(ended);
      if (thread == null || !thread.isAlive()) {
        thread = new Thread(this::loop, "keel-resolver");
        thread.setDaemon(true);
        thread.start();
      }
      work.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Resolves now, on the caller's thread; a failure is thrown. */
  public ResolveResult resolveNow(Set<UUID> ended, Set<UUID> batches) {
    if ((ended.isEmpty() && batches.isEmpty()) || !backend.capabilities().coordination()) {
      return ResolveResult.NONE;
    }
    return backend.resolveBlocked(new ResolveRequest(ended, batches, false, 0));
  }

  /**
   * {@link #resolveNow} for a caller whose own change already succeeded (an enqueue, a cancel): a
   * failure is logged, not thrown, and the maintenance sweep resolves the jobs later.
   */
  public void resolveAfter(Set<UUID> ended, Set<UUID> batches, String after) {
    try {
      resolveNow(ended, batches);
    } catch (RuntimeException e) {
      log.warn(
          "Could not resolve the jobs waiting after {} ({} jobs, {} batches); the maintenance sweep"
              + " will",
          after,
          ended.size(),
          batches.size(),
          e);
    }
  }

  /** Finds and resolves what was left behind, at most {@code limit}; for maintenance. */
  public ResolveResult sweep(int limit) {
    if (!backend.capabilities().coordination()) {
      return ResolveResult.NONE;
    }
    ResolveResult r = backend.resolveBlocked(ResolveRequest.sweep(limit));
    if (!r.isEmpty()) {
      log.info(
          "Maintenance sweep resolved blocked jobs left behind: {} released, {} cancelled,"
              + " {} failed, {} batches completed",
          r.released().size(),
          r.cancelled().size(),
          r.failed().size(),
          r.completedBatches().size());
    }
    return r;
  }

  /**
   * Resolves what is still queued (each group tried once, within {@code CLOSE_WAIT}), then stops
   * the background thread; what is left then is logged and left to another node's sweep.
   */
  public void close() {
    Thread t;
    lock.lock();
    try {
      closed = true;
      t = thread;
      work.signal();
    } finally {
      lock.unlock();
    }
    if (t == null) {
      return;
    }
    try {
      t.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      log.warn(
          "Resolver still busy {} after close; interrupting it, the maintenance sweep resolves the"
              + " rest",
          CLOSE_WAIT);
      t.interrupt();
    }
  }

  static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(10);

  /** Failed calls for one group before it is left to the maintenance sweep. */
  static final int MAX_FAILURES = 10;

  private void loop() {
    Backoff backoff = new Backoff(java.time.Duration.ofMillis(50), java.time.Duration.ofSeconds(5));
    Set<UUID> batch = new HashSet<>();
    while (true) {
      boolean closing;
      lock.lock();
      try {
        while (pending.isEmpty() && batch.isEmpty() && !closed) {
          work.await(1, TimeUnit.SECONDS);
        }
        closing = closed;
        if (closing && pending.isEmpty() && batch.isEmpty()) {
          return;
        }
        var it = pending.iterator();
        while (it.hasNext() && batch.size() < MAX_PER_CALL) {
          batch.add(it.next());
          it.remove();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.warn(
            "Resolver interrupted with {} ended jobs not resolved; the maintenance sweep resolves"
                + " them",
            pending.size() + batch.size(),
            e);
        return;
      } finally {
        lock.unlock();
      }
      try {
        backend.resolveBlocked(ResolveRequest.of(batch));
        batch.clear();
        backoff.reset();
      } catch (RuntimeException | Error e) {
        if (closing || backoff.failures() + 1 >= MAX_FAILURES) {
          log.error(
              "Giving up resolving the jobs waiting for {} ended jobs after {} failures; the"
                  + " maintenance sweep resolves them",
              batch.size(),
              backoff.failures() + 1,
              e);
          batch.clear();
          backoff.reset();
          if (e instanceof Error err && !(e instanceof AssertionError)) {
            throw err;
          }
          continue;
        }
        java.time.Duration wait = backoff.next();
        log.warn(
            "Could not resolve the jobs waiting for {} ended jobs (attempt {}); retrying in {}",
            batch.size(),
            backoff.failures(),
            wait,
            e);
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          log.warn(
              "Resolver interrupted while retrying; the maintenance sweep resolves {} ended jobs",
              pending.size() + batch.size(),
              ie);
          return;
        }
      }
    }
  }
}
