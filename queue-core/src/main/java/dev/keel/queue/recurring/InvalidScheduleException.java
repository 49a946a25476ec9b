package dev.keel.queue.recurring;

import dev.keel.queue.InvalidInputException;

/**
 * A schedule declaration broke a rule: a bad cron expression, an unknown time zone, a name or job
 * template that breaks the naming or job rules. Thrown at declaration, before anything is written.
 * {@link #field()} names the field, prefixed {@code schedule.} (for example {@code schedule.cron},
 * {@code schedule.zone}, {@code schedule.job.type}), and {@link #rule()} the rule.
 */
public class InvalidScheduleException extends InvalidInputException {

  public InvalidScheduleException(String field, String rule) {
    super(field.startsWith("schedule.") ? field : "schedule." + field, rule);
  }
}
