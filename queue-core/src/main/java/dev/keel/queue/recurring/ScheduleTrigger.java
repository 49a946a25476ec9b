package dev.keel.queue.recurring;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/** When a schedule fires: a cron expression in a time zone, or a fixed interval. */
public sealed interface ScheduleTrigger {

  /** One line for logs and consoles, e.g. {@code cron '0 2 * * *' in Europe/Berlin}. */
  String describe();

  /**
   * A cron expression, evaluated in {@code zone}'s local time.
   *
   * <p>Daylight-saving changes: a local time that does not exist (the hour skipped in spring) fires
   * at the first instant after it (the end of the gap), once however many of the expression's times
   * fall into the gap; a local time that occurs twice (the hour repeated in autumn) fires once, at
   * its first occurrence.
   *
   * @param expression five fields (minute hour day-of-month month day-of-week, as in Unix cron), or
   *     six with a leading seconds field when {@code withSeconds}
   */
  record Cron(String expression, boolean withSeconds, ZoneId zone) implements ScheduleTrigger {
    public Cron {
      Objects.requireNonNull(expression, "expression");
      Objects.requireNonNull(zone, "zone");
    }

    @Override
    public String describe() {
      return "cron '" + expression + "' in " + zone.getId();
    }
  }

  /**
   * Every {@code period}, at {@code anchor + k × period} for whole numbers k. The default anchor is
   * the Unix epoch, so {@code every(1 hour)} fires on the hour (UTC) on every node and after every
   * deploy.
   */
  record Interval(Duration period, Instant anchor) implements ScheduleTrigger {
    public Interval {
      Objects.requireNonNull(period, "period");
      Objects.requireNonNull(anchor, "anchor");
    }

    @Override
    public String describe() {
      return "every " + period + (anchor.equals(Instant.EPOCH) ? "" : " from " + anchor);
    }
  }
}
