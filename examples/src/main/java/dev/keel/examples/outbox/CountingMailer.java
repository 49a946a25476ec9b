package dev.keel.examples.outbox;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for an email provider: counts every email it is asked to send, per recipient, so the
 * example can show that each user got exactly one.
 */
public final class CountingMailer {
  private final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();

  /** "Sends" an email; returns the provider's message id. */
  public synchronized String send(String to, String subject, String idempotencyKey) {
    sent.computeIfAbsent(to, k -> new AtomicInteger()).incrementAndGet();
    total.incrementAndGet();
    notifyAll();
    return "mail-" + total.get() + "-" + idempotencyKey.substring(0, 12);
  }

  public int total() {
    return total.get();
  }

  /** Emails per recipient, sorted by recipient. */
  public Map<String, Integer> perRecipient() {
    Map<String, Integer> out = new TreeMap<>();
    sent.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /**
   * Waits until at least {@code count} emails were sent or the timeout passed.
   *
   * @return true if the count was reached
   */
  public synchronized boolean awaitTotal(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (total.get() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
