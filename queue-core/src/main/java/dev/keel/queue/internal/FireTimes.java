package dev.keel.queue.internal;

import dev.keel.queue.recurring.ScheduleTrigger;
import java.time.Instant;

/**
 * The fire times of a schedule's trigger, as instants. Both directions are needed: forward to find
 * the next fire, backward to find the most recent missed ones without walking every fire time of a
 * long outage.
 */
public interface FireTimes {

  /** The first fire time strictly after {@code t}, or null if the trigger never fires again. */
  Instant nextAfter(Instant t);

  /** The last fire time at or before {@code t}, or null if there is none. */
  Instant latestAtOrBefore(Instant t);

  /** The fire times of {@code trigger}. */
  static FireTimes of(ScheduleTrigger trigger) {
    if (trigger instanceof ScheduleTrigger.Cron c) {
      return CronFireTimes.of(c.expression(), c.withSeconds(), c.zone());
    }
    ScheduleTrigger.Interval i = (ScheduleTrigger.Interval) trigger;
    return new IntervalFireTimes(i.period(), i.anchor());
  }

  /**
   * Parses {@code expression} and checks that it fires at all.
   *
   * @throws dev.keel.queue.recurring.InvalidScheduleException {@code schedule.cron}, with the
   *     parser's reason
   */
  static void checkCron(String expression, boolean withSeconds) {
    CronFireTimes.check(expression, withSeconds);
  }
}
