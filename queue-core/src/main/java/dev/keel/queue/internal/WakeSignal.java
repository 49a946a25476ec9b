package dev.keel.queue.internal;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A latch that many threads can raise and one thread waits on, with a bound. */
final class WakeSignal {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition raised = lock.newCondition();
  private boolean flag;

  void raise() {
    lock.lock();
    try {
      flag = true;
      raised.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until raised or {@code max} passes; clears the flag. */
  void await(Duration max) throws InterruptedException {
    lock.lock();
    try {
      long nanos = max.toNanos();
      while (!flag && nanos > 0) {
        nanos = raised.awaitNanos(nanos);
      }
      flag = false;
    } finally {
      lock.unlock();
    }
  }
}
