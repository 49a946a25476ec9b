package dev.keel.queue.internal;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.FencedLock;
import dev.keel.queue.InvalidInputException;
import dev.keel.queue.LockLostException;
import dev.keel.queue.Locks;
import dev.keel.queue.spi.LockRequest;
import dev.keel.queue.spi.LockResult;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Locks} on a backend's lock calls. Each held lock renews itself on the timer thread every
 * third of its lease; waiting acquisitions poll with a growing, jittered pause (10 ms to 500 ms,
 * and never past the wait bound).
 */
public final class FencedLocks implements Locks {
  private static final Logger log = LoggerFactory.getLogger(FencedLocks.class);
  private static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final QueueBackend backend;
  private final ScheduledExecutorService timers;

  public FencedLocks(QueueBackend backend, ScheduledExecutorService timers) {
    this.backend = backend;
    this.timers = timers;
  }

  @Override
  public FencedLock acquire(String name, Duration lease) throws InterruptedException {
    return attempt(name, lease, Long.MAX_VALUE).orElseThrow();
  }

  @Override
  public Optional<FencedLock> tryAcquire(String name, Duration lease) {
    check(name, lease);
    return once(name, lease);
  }

  @Override
  public Optional<FencedLock> tryAcquire(String name, Duration lease, Duration wait)
      throws InterruptedException {
    if (wait == null || wait.isNegative()) {
      throw new InvalidInputException("wait", "must not be negative, was " + wait);
    }
    return attempt(name, lease, saturatedNanos(wait));
  }

  private Optional<FencedLock> attempt(String name, Duration lease, long waitNanos)
      throws InterruptedException {
    check(name, lease);
    long start = System.nanoTime();
    long pause = MIN_PAUSE_NANOS;
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for lock " + name);
      }
      Optional<FencedLock> lock = once(name, lease);
      if (lock.isPresent()) {
        return lock;
      }
      long waited = System.nanoTime() - start;
      if (waited >= waitNanos) {
        return Optional.empty();
      }
      long sleep =
          Math.min(pause + ThreadLocalRandom.current().nextLong(pause), waitNanos - waited);
      TimeUnit.NANOSECONDS.sleep(sleep);
      pause = Math.min(MAX_PAUSE_NANOS, pause * 2);
    }
  }

  private Optional<FencedLock> once(String name, Duration lease) {
    String holder = UUID.randomUUID().toString();
    long sent = System.nanoTime();
    LockResult r = backend.acquireLock(new LockRequest(name, holder, 0, lease));
    if (!r.held()) {
      return Optional.empty();
    }
    Held held = new Held(name, holder, r.token(), lease, sent);
    try {
      held.schedule();
    } catch (RuntimeException e) {
      // No renewal could be scheduled (Keel closing): give the lock back rather than leave it
      // held and unrenewed until its lease ends.
      try {
        backend.releaseLock(new LockRequest(name, holder, r.token(), lease));
      } catch (RuntimeException releaseFailure) {
        e.addSuppressed(releaseFailure);
      }
      throw e;
    }
    return Optional.of(held);
  }

  private static void check(String name, Duration lease) {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException("name", "must not be blank");
    }
    if (name.length() > 255) {
      throw new InvalidInputException(
          "name", "must be at most 255 characters, was " + name.length());
    }
    if (lease == null || lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(MAX_LEASE) > 0) {
      throw new InvalidInputException(
          "lease", "must be between " + MIN_LEASE + " and " + MAX_LEASE + ", was " + lease);
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** One acquisition. State changes under its monitor; backend calls are made outside it. */
  private final class Held implements FencedLock {
    private final String name;
    private final String holder;
    private final long token;
    private final Duration lease;
    private final long leaseNanos;
    private final List<Runnable> onLost = new ArrayList<>();
    private long heldUntilNanos;
    private boolean lost;
    private boolean closed;
    private ScheduledFuture<?> renewal;

    Held(String name, String holder, long token, Duration lease, long sentNanos) {
      this.name = name;
      this.holder = holder;
      this.token = token;
      this.lease = lease;
      this.leaseNanos = saturatedNanos(lease);
      this.heldUntilNanos = sentNanos + leaseNanos;
    }

    void schedule() {
      long every = Math.max(1, leaseNanos / 3);
      synchronized (this) {
        renewal = timers.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.NANOSECONDS);
      }
    }

    private void renew() {
      synchronized (this) {
        if (closed || lost) {
          return;
        }
      }
      long sent = System.nanoTime();
      LockResult r;
      try {
        r = backend.renewLock(new LockRequest(name, holder, token, lease));
      } catch (BackendUnavailableException e) {
        // The lease may still be running on the backend: keep trying until it cannot be.
        if (System.nanoTime() - heldUntil() >= 0) {
          log.warn(
              "lock {} (token {}) lost: no renewal got through within its lease of {}",
              name,
              token,
              lease,
              e);
          markLost();
        } else {
          log.warn("lock {} (token {}): renewal failed, retrying", name, token, e);
        }
        return;
      } catch (RuntimeException e) {
        log.error(
            "lock {} (token {}): renewal failed unexpectedly; treating it as lost", name, token, e);
        markLost();
        return;
      }
      if (r.held()) {
        synchronized (this) {
          heldUntilNanos = sent + leaseNanos;
        }
      } else {
        log.warn(
            "lock {} (token {}) lost: another holder has it or its lease expired", name, token);
        markLost();
      }
    }

    private synchronized long heldUntil() {
      return heldUntilNanos;
    }

    private void markLost() {
      List<Runnable> actions;
      synchronized (this) {
        if (lost || closed) {
          return;
        }
        lost = true;
        renewal.cancel(false);
        actions = new ArrayList<>(onLost);
        onLost.clear();
      }
      actions.forEach(this::runLostAction);
    }

    private void runLostAction(Runnable action) {
      try {
        action.run();
      } catch (RuntimeException e) {
        log.error("lock {} (token {}): an onLost action threw", name, token, e);
      }
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long token() {
      return token;
    }

    @Override
    public Duration lease() {
      return lease;
    }

    @Override
    public boolean isHeld() {
      boolean expired;
      synchronized (this) {
        if (lost || closed) {
          return false;
        }
        expired = System.nanoTime() - heldUntilNanos >= 0;
      }
      if (expired) {
        markLost();
        return false;
      }
      return true;
    }

    @Override
    public void ensureHeld() {
      if (!isHeld()) {
        throw new LockLostException(
            "lock "
                + name
                + " (token "
                + token
                + ") is no longer held"
                + (closedNow() ? ": closed" : ""));
      }
    }

    private synchronized boolean closedNow() {
      return closed;
    }

    @Override
    public void onLost(Runnable action) {
      boolean runNow;
      synchronized (this) {
        runNow = lost;
        if (!runNow && !closed) {
          onLost.add(action);
        }
      }
      if (runNow) {
        runLostAction(action);
      }
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        renewal.cancel(false);
        onLost.clear();
        if (lost) {
          return;
        }
      }
      try {
        backend.releaseLock(new LockRequest(name, holder, token, lease));
      } catch (RuntimeException e) {
        log.warn(
            "lock {} (token {}): release failed; it frees itself when its lease of {} ends",
            name,
            token,
            lease,
            e);
      }
    }

    @Override
    public String toString() {
      return "FencedLock[" + name + ", token " + token + "]";
    }
  }
}
