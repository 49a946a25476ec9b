package dev.keel.queue.internal;

import dev.keel.queue.Job;
import dev.keel.queue.JobType;
import dev.keel.queue.Lease;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A claimed job inside this process, from claim until its finish is stored. Tracks whether it
 * started (so shutdown can release the ones that never did) and lets other threads stop it by
 * interrupting exactly the handler's thread, never a thread that moved on to another job.
 */
public final class RunningJob {
  enum Phase {
    CLAIMED,
    STARTED,
    RELEASED
  }

  private final Job job;
  private final Lease lease;
  private final JobType<?> type;
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.CLAIMED);
  private final Object threadLock = new Object();
  private Thread thread;
  private volatile StopReason stopReason;
  private volatile boolean finishing;

  /**
   * Until when (System.nanoTime) the lease is known to hold: the send time of the claim or of the
   * last heartbeat that renewed it, plus the lease. Long.MAX_VALUE when nobody tracks it.
   */
  private volatile long leaseHeldUntilNanos = Long.MAX_VALUE;

  public RunningJob(Job job, JobType<?> type) {
    this.job = job;
    this.lease =
        job.lease()
            .orElseThrow(
                () -> new IllegalStateException("claimed job " + job.id() + " has no lease"));
    this.type = type;
  }

  public Job job() {
    return job;
  }

  public Lease lease() {
    return lease;
  }

  /** The backend granted or renewed the lease by a call sent at {@code sentNanos}. */
  void leaseConfirmed(long sentNanos, java.time.Duration leaseDuration) {
    leaseHeldUntilNanos = sentNanos + leaseDuration.toNanos();
  }

  /**
   * True if the lease may have run out on the backend: no claim or heartbeat confirmed it within
   * one lease (the process was paused, or cut off from the backend). The job may then run elsewhere
   * already, so a handler must not start.
   */
  boolean leaseMayHaveExpired() {
    long until = leaseHeldUntilNanos;
    return until != Long.MAX_VALUE && System.nanoTime() - until > 0;
  }

  public JobType<?> type() {
    return type;
  }

  /** Claims the right to run; false if shutdown released the job first. */
  public boolean tryStart() {
    return phase.compareAndSet(Phase.CLAIMED, Phase.STARTED);
  }

  /** Claims the right to release; false if a thread already started it. */
  public boolean tryRelease() {
    return phase.compareAndSet(Phase.CLAIMED, Phase.RELEASED);
  }

  public boolean started() {
    return phase.get() == Phase.STARTED;
  }

  void enterHandler(Thread t) {
    synchronized (threadLock) {
      thread = t;
      if (stopReason != null) {
        t.interrupt();
      }
    }
  }

  void exitHandler() {
    boolean stopped;
    synchronized (threadLock) {
      thread = null;
      stopped = stopReason != null;
    }
    if (stopped) {
      // Clear the interrupt aimed at this job so it cannot hit the thread's next job; an
      // interrupt from anyone else (say, the caller of drain) is left alone.
      Thread.interrupted();
    }
  }

  /** Asks the handler to stop; the first reason wins. */
  public void requestStop(StopReason reason) {
    synchronized (threadLock) {
      // A lost lease overrides an earlier timeout or shutdown: nothing may be written any more.
      if (stopReason == null || reason == StopReason.LEASE_LOST) {
        stopReason = reason;
      }
      if (thread != null) {
        thread.interrupt();
      }
    }
  }

  /** The handler is done and its result is on its way to the backend. */
  void markFinishing() {
    finishing = true;
  }

  boolean finishing() {
    return finishing;
  }

  public StopReason stopReason() {
    return stopReason;
  }
}
