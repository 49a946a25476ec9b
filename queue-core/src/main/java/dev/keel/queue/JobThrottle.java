package dev.keel.queue;

import java.time.Duration;

/**
 * Decides, just before a claimed job's handler would run, whether it may run now. A positive delay
 * defers the job to that later time without using an attempt (it goes back to PENDING, like a
 * snooze). Used for rate limits shared by every worker, e.g. with {@code dev.keel:ratelimit}'s
 * {@code JobTypeLimits}.
 *
 * <p>Called on the worker's thread for every job; keep it fast. An exception is logged with its
 * stack trace and the job is deferred by {@link #ON_ERROR_DELAY} (no attempt used), never run
 * unthrottled.
 */
@FunctionalInterface
public interface JobThrottle {

  /** How long a job is deferred when the throttle itself fails. */
  Duration ON_ERROR_DELAY = Duration.ofSeconds(1);

  /**
   * @return {@link Duration#ZERO} (or negative) to run now, or how long to wait before the job may
   *     run
   */
  Duration delayFor(Job job);
}
