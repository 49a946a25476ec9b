package dev.keel.queue.internal;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.keel.queue.recurring.InvalidScheduleException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one adapter on cron-utils: it parses expressions and walks their matching <em>local</em>
 * date-times; turning local times into instants, across daylight-saving changes, is done here.
 *
 * <p>cron-utils is asked about local times only, in UTC where no clock jumps: evaluated directly in
 * a zone with daylight saving it skips a day's fire whose local time falls into the spring gap
 * (seen with 9.2.1: {@code 0 2 * * *} in Europe/Berlin has no fire on 2026-03-29). Local times are
 * mapped to instants by Keel's rule instead: a local time in a gap fires at the gap's end (the
 * first instant after it), one in an overlap at its first occurrence, and a fire time is always
 * strictly later than the one before, so the fires a gap folds onto one instant, and the repeated
 * local times of an overlap, fire once.
 */
final class CronFireTimes implements FireTimes {
  private static final CronDefinition UNIX =
      CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX);

  /** Unix fields with a leading seconds field. */
  private static final CronDefinition WITH_SECONDS =
      CronDefinitionBuilder.defineCron()
          .withSeconds()
          .and()
          .withMinutes()
          .and()
          .withHours()
          .and()
          .withDayOfMonth()
          .and()
          .withMonth()
          .and()
          .withDayOfWeek()
          .withValidRange(0, 7)
          .withMondayDoWValue(1)
          .withIntMapping(7, 0)
          .and()
          .instance();

  private static final CronParser UNIX_PARSER = new CronParser(UNIX);
  private static final CronParser SECONDS_PARSER = new CronParser(WITH_SECONDS);

  /** A fixed point to ask "does it ever fire?" from, so the answer never depends on a clock. */
  private static final ZonedDateTime PROBE =
      ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  /**
   * Steps a single call may take over local matches that map to instants already passed (inside a
   * repeated hour, or folded by a gap): a few per transition, bounded so a bug cannot spin.
   */
  private static final int MAX_STEPS = 10_000;

  /** Parsed expressions: schedules fire again and again, parsing once is enough. */
  private static final ConcurrentHashMap<String, ExecutionTime> PARSED = new ConcurrentHashMap<>();

  private final ExecutionTime execution;
  private final ZoneRules rules;
  private final ZoneId zone;

  private CronFireTimes(ExecutionTime execution, ZoneId zone) {
    this.execution = execution;
    this.zone = zone;
    this.rules = zone.getRules();
  }

  static CronFireTimes of(String expression, boolean withSeconds, ZoneId zone) {
    return new CronFireTimes(parsed(expression, withSeconds), zone);
  }

  static void check(String expression, boolean withSeconds) {
    ExecutionTime execution = parsed(expression, withSeconds);
    if (execution.nextExecution(PROBE).isEmpty()) {
      throw new InvalidScheduleException(
          "cron", "never fires (no date matches every field): '" + expression + "'");
    }
  }

  private static ExecutionTime parsed(String expression, boolean withSeconds) {
    String key = (withSeconds ? "s:" : "u:") + expression;
    ExecutionTime cached = PARSED.get(key);
    if (cached != null) {
      return cached;
    }
    Cron cron;
    try {
      cron = (withSeconds ? SECONDS_PARSER : UNIX_PARSER).parse(expression).validate();
    } catch (IllegalArgumentException e) {
      throw new InvalidScheduleException(
          "cron",
          "must be a valid "
              + (withSeconds ? "six-field (seconds first)" : "five-field Unix")
              + " cron expression, was '"
              + expression
              + "': "
              + e.getMessage());
    }
    ExecutionTime execution = ExecutionTime.forCron(cron);
    if (PARSED.size() < 10_000) {
      PARSED.put(key, execution);
    }
    return execution;
  }

  @Override
  public Instant nextAfter(Instant t) {
    LocalDateTime local = LocalDateTime.ofInstant(t, zone);
    for (int i = 0; i < MAX_STEPS; i++) {
      Optional<ZonedDateTime> next = execution.nextExecution(local.atZone(ZoneOffset.UTC));
      if (next.isEmpty()) {
        return null;
      }
      local = next.get().toLocalDateTime();
      Instant fire = firstInstantOf(local);
      if (fire.isAfter(t)) {
        return fire;
      }
    }
    throw new IllegalStateException(
        "cron schedule in "
            + zone
            + ": no fire time after "
            + t
            + " within "
            + MAX_STEPS
            + " steps");
  }

  @Override
  public Instant latestAtOrBefore(Instant t) {
    // Fire times are whole seconds: the last one strictly before the next whole second after t's
    // second is the last one at or before t.
    LocalDateTime bound =
        LocalDateTime.ofInstant(t, zone).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    Optional<ZonedDateTime> last = execution.lastExecution(bound.atZone(ZoneOffset.UTC));
    return last.map(z -> firstInstantOf(z.toLocalDateTime())).orElse(null);
  }

  /** The instant a local fire time fires at: see the class comment. */
  private Instant firstInstantOf(LocalDateTime local) {
    List<ZoneOffset> offsets = rules.getValidOffsets(local);
    if (offsets.isEmpty()) {
      ZoneOffsetTransition gap = rules.getTransition(local);
      return gap.getInstant();
    }
    // In an overlap the earlier offset (the larger one) gives the first occurrence.
    return local.toInstant(offsets.get(0));
  }
}
