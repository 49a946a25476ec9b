package dev.keel.queue.internal;

import dev.keel.queue.recurring.FireReport;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop that fires due schedules, one thread per {@code Keel}, running while at least one of its
 * workers runs with schedules on. It sleeps until the earliest next fire time the backend reported
 * (measured on the backend's clock, slept locally), at most {@code checkInterval} so that schedules
 * declared or resumed by other nodes are seen; never a per-second poll of every schedule. Several
 * nodes may run it at once: the backend's compare-and-set makes each fire time fire once.
 */
public final class RecurringScheduler {
  private static final Logger log = LoggerFactory.getLogger(RecurringScheduler.class);

  /** How often a fire held back by {@code OverlapPolicy.WAIT} is looked at again. */
  static final Duration WAIT_RECHECK = Duration.ofSeconds(1);

  /** Passes in a row without sleeping before the loop takes a short breath anyway. */
  private static final int MAX_IMMEDIATE_PASSES = 100;

  private final ScheduleService service;
  private final Duration checkInterval;
  private final Object monitor = new Object();
  private int users;
  private Thread thread;
  private boolean wakeRequested;

  public RecurringScheduler(ScheduleService service, Duration checkInterval) {
    this.service = service;
    this.checkInterval = checkInterval;
    service.onChange(this::wake);
  }

  /** A worker starts: the loop runs while at least one is attached. */
  public void attach(String workerId) {
    synchronized (monitor) {
      users++;
      if (thread == null) {
        Thread t = new Thread(this::loop, "keel-scheduler");
        t.setDaemon(true);
        thread = t;
        t.start();
        log.info(
            "Keel scheduler started by worker {} (check interval {})", workerId, checkInterval);
      }
    }
  }

  /** A worker stops; the last one out stops the loop and waits for it. */
  public void detach() throws InterruptedException {
    Thread t;
    synchronized (monitor) {
      if (users == 0) {
        return;
      }
      users--;
      if (users > 0 || thread == null) {
        return;
      }
      t = thread;
      thread = null;
      monitor.notifyAll();
    }
    t.interrupt();
    t.join(Duration.ofSeconds(10).toMillis());
  }

  /** Stops the loop whoever is attached (Keel is closing). */
  public void shutdown() {
    Thread t;
    synchronized (monitor) {
      users = 0;
      t = thread;
      thread = null;
      monitor.notifyAll();
    }
    if (t != null) {
      t.interrupt();
    }
  }

  /** Look at the schedules again now (a declaration or resume may have moved a fire time). */
  void wake() {
    synchronized (monitor) {
      wakeRequested = true;
      monitor.notifyAll();
    }
  }

  private boolean running() {
    synchronized (monitor) {
      return thread == Thread.currentThread();
    }
  }

  private void loop() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), checkInterval);
    int immediate = 0;
    while (running()) {
      long sleepMillis;
      try {
        FireReport report = service.fireDue();
        backoff.reset();
        if (report.moreDue() && immediate < MAX_IMMEDIATE_PASSES) {
          immediate++;
          continue;
        }
        immediate = 0;
        sleepMillis = sleepMillis(report);
      } catch (RuntimeException e) {
        if (!running()) {
          log.debug("Keel scheduler pass interrupted by shutdown", e);
          return;
        }
        sleepMillis = backoff.next().toMillis();
        log.warn(
            "Keel scheduler: firing due schedules failed ({} in a row), retrying in {} ms",
            backoff.failures(),
            sleepMillis,
            e);
      }
      if (!pause(sleepMillis)) {
        return;
      }
    }
  }

  private long sleepMillis(FireReport report) {
    long millis = checkInterval.toMillis();
    Instant next = report.nextFireAt();
    if (next != null) {
      Duration until = Duration.between(report.backendNow(), next);
      // Round up: waking a fraction of a millisecond early only to sleep again is a busy loop.
      long toNext = until.isNegative() ? 0 : until.plusNanos(999_999).toMillis();
      millis = Math.min(millis, Math.max(1, toNext));
    }
    if (report.waitingOverlap() > 0) {
      millis = Math.min(millis, WAIT_RECHECK.toMillis());
    }
    return report.moreDue() ? Math.min(millis, 10) : millis;
  }

  /** Sleeps until woken or the time is up; false when the loop must end. */
  private boolean pause(long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000;
    synchronized (monitor) {
      while (thread == Thread.currentThread() && !wakeRequested) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          break;
        }
        try {
          monitor.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      wakeRequested = false;
      return thread == Thread.currentThread();
    }
  }
}
