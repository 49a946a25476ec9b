package dev.keel.queue.recurring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.JobRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleDeclarationTest {
  private static final JobRequest<Map<String, Integer>> JOB = JobRequest.of("t", Map.of("n", 1));

  private static void rejects(Runnable declaration, String field, String ruleFragment) {
    assertThatThrownBy(declaration::run)
        .isInstanceOfSatisfying(
            InvalidScheduleException.class,
            e -> {
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.rule()).contains(ruleFragment);
            });
  }

  @Test
  void defaultsAreUtcFireOnceOneMinuteWindowAndSkipOverlap() {
    Schedule s = Schedule.cron("nightly", "0 2 * * *").job(JOB).build();
    assertThat(s.trigger())
        .isEqualTo(new ScheduleTrigger.Cron("0 2 * * *", false, ZoneId.of("UTC")));
    assertThat(s.misfire()).isEqualTo(MisfirePolicy.fireOnce());
    assertThat(s.misfireWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.overlap()).isEqualTo(OverlapPolicy.SKIP);
    assertThat(s.trigger().describe()).isEqualTo("cron '0 2 * * *' in UTC");
    Schedule every = Schedule.every("tick", Duration.ofSeconds(30)).job(JOB).build();
    assertThat(every.trigger())
        .isEqualTo(new ScheduleTrigger.Interval(Duration.ofSeconds(30), Instant.EPOCH));
  }

  @Test
  void badNamesExpressionsAndZonesAreTypedErrorsNamingTheField() {
    rejects(() -> Schedule.cron("has space", "0 2 * * *"), "schedule.name", "letters, digits");
    rejects(() -> Schedule.cron("", "0 2 * * *"), "schedule.name", "blank");
    rejects(() -> Schedule.cron("x".repeat(129), "0 2 * * *"), "schedule.name", "1 to 128");
    rejects(() -> Schedule.cron("a", "61 2 * * *"), "schedule.cron", "five-field Unix");
    rejects(() -> Schedule.cron("a", "0 2 * *"), "schedule.cron", "five-field Unix");
    rejects(() -> Schedule.cron("a", "0 0 2 * * *"), "schedule.cron", "five-field Unix");
    rejects(() -> Schedule.cron("a", "0 0 30 2 *"), "schedule.cron", "never fires");
    rejects(() -> Schedule.cronWithSeconds("a", "0 2 * * *"), "schedule.cron", "six-field");
    rejects(() -> Schedule.cron("a", " "), "schedule.cron", "blank");
    rejects(
        () -> Schedule.cron("a", "0 2 * * *").zone("Mars/Olympus"),
        "schedule.zone",
        "known time zone");
    rejects(() -> Schedule.every("a", Duration.ofMillis(999)), "schedule.interval", "between");
    rejects(() -> Schedule.every("a", Duration.ofDays(4000)), "schedule.interval", "between");
    rejects(
        () -> Schedule.every("a", Duration.ofSeconds(1).plusNanos(5)),
        "schedule.interval",
        "whole number of milliseconds");
    rejects(
        () -> Schedule.every("a", Duration.ofMinutes(1)).zone("UTC"),
        "schedule.zone",
        "cron schedules only");
    rejects(
        () -> Schedule.cron("a", "0 2 * * *").startingAt(Instant.EPOCH),
        "schedule.startingAt",
        "interval schedules only");
    rejects(() -> MisfirePolicy.fireAll(0), "schedule.misfire.cap", "between 1 and 1000");
    rejects(
        () -> Schedule.cron("a", "0 2 * * *").misfireWindow(Duration.ZERO),
        "schedule.misfireWindow",
        "positive");
    rejects(() -> Schedule.cron("a", "0 2 * * *").build(), "schedule.job", "must be set");
  }

  @Test
  void theJobTemplateMayNotSetWhatEachFireDecides() {
    rejects(
        () -> Schedule.cron("a", "0 2 * * *").job(JOB.withIdempotencyKey("k")),
        "schedule.job.idempotencyKey",
        "exactly one job");
    rejects(
        () -> Schedule.cron("a", "0 2 * * *").job(JOB.withDelay(Duration.ofSeconds(1))),
        "schedule.job.delay",
        "fire time");
    rejects(
        () -> Schedule.cron("a", "0 2 * * *").job(JOB.withMetadata(Map.of("keel.x", "y"))),
        "schedule.job.metadata",
        "Keel's");
  }

  @Test
  void eachOptionMayBeSetOnce() {
    Schedule.Builder b = Schedule.cron("a", "0 2 * * *").zone("Europe/Berlin");
    rejects(() -> b.zone("UTC"), "schedule.zone", "already set");
  }

  @Test
  void sixFieldExpressionsTakeSeconds() {
    Schedule s = Schedule.cronWithSeconds("fast", "*/15 * * * * *").job(JOB).build();
    assertThat(((ScheduleTrigger.Cron) s.trigger()).withSeconds()).isTrue();
  }
}
