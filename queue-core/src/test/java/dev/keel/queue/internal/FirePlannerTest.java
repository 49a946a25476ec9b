package dev.keel.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.recurring.MisfirePolicy;
import dev.keel.queue.recurring.OverlapPolicy;
import dev.keel.queue.recurring.Schedule;
import dev.keel.queue.recurring.ScheduleTrigger;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.ScheduleFire;
import dev.keel.queue.spi.StoredSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FirePlannerTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:30Z");
  private final JobIds ids = new JobIds(InstantSource.fixed(NOW));

  private static ScheduleSpec spec(MisfirePolicy misfire, Duration window) {
    return new ScheduleSpec(
        "s",
        new ScheduleTrigger.Interval(Duration.ofMinutes(1), Instant.EPOCH),
        new ScheduleSpec.JobTemplate("t", "q", "ten", "{}", 2, 5, null, Map.of("a", "b"), null, 0),
        misfire,
        window,
        OverlapPolicy.SKIP);
  }

  private static StoredSchedule stored(Instant next) {
    return new StoredSchedule("s", "x", "y", 4, false, next, null, null, null, null, NOW);
  }

  private static List<Instant> fireTimes(ScheduleFire fire) {
    return fire.jobs().stream().map(NewJob::runAt).toList();
  }

  @Test
  void onTimeFireMakesOneJobDueAtItsFireTimeAndMovesOn() {
    Instant due = Instant.parse("2026-06-01T12:00:00Z");
    ScheduleFire fire =
        FirePlanner.plan(
            spec(MisfirePolicy.fireOnce(), Duration.ofMinutes(1)), stored(due), NOW, ids);
    assertThat(fire.expectedVersion()).isEqualTo(4);
    assertThat(fire.expectedNextFireAt()).isEqualTo(due);
    assertThat(fireTimes(fire)).containsExactly(due);
    assertThat(fire.nextFireAt()).isEqualTo(Instant.parse("2026-06-01T12:01:00Z"));
    assertThat(fire.lastFireAt()).isEqualTo(due);
    NewJob job = fire.jobs().get(0);
    assertThat(job.type()).isEqualTo("t");
    assertThat(job.queue()).isEqualTo("q");
    assertThat(job.tenant()).isEqualTo("ten");
    assertThat(job.priority()).isEqualTo(2);
    assertThat(job.maxAttempts()).isEqualTo(5);
    assertThat(job.idempotencyKey()).isNull();
    assertThat(job.metadata())
        .containsEntry("a", "b")
        .containsEntry(Schedule.SCHEDULE_KEY, "s")
        .containsEntry(Schedule.FIRE_TIME_KEY, "2026-06-01T12:00:00Z");
  }

  @Test
  void afterDowntimeMissedTimesFollowThePolicyAndOnTimeOnesEachFire() {
    Instant tenMinutesAgo = Instant.parse("2026-06-01T11:50:00Z");
    Duration window = Duration.ofMinutes(3); // 11:57:30 .. 12:00:30 is on time: 11:58, 11:59, 12:00
    ScheduleFire once =
        FirePlanner.plan(spec(MisfirePolicy.fireOnce(), window), stored(tenMinutesAgo), NOW, ids);
    assertThat(fireTimes(once))
        .containsExactly(
            Instant.parse("2026-06-01T11:57:00Z"),
            Instant.parse("2026-06-01T11:58:00Z"),
            Instant.parse("2026-06-01T11:59:00Z"),
            Instant.parse("2026-06-01T12:00:00Z"));
    ScheduleFire all =
        FirePlanner.plan(spec(MisfirePolicy.fireAll(3), window), stored(tenMinutesAgo), NOW, ids);
    assertThat(fireTimes(all)).hasSize(6).startsWith(Instant.parse("2026-06-01T11:55:00Z"));
    ScheduleFire skip =
        FirePlanner.plan(spec(MisfirePolicy.skip(), window), stored(tenMinutesAgo), NOW, ids);
    assertThat(fireTimes(skip)).hasSize(3).startsWith(Instant.parse("2026-06-01T11:58:00Z"));
    for (ScheduleFire f : List.of(once, all, skip)) {
      assertThat(f.nextFireAt()).isEqualTo(Instant.parse("2026-06-01T12:01:00Z"));
    }
  }

  @Test
  void skippingEverythingStillMovesTheScheduleOn() {
    Instant longAgo = Instant.parse("2026-05-01T00:00:00Z");
    ScheduleFire fire =
        FirePlanner.plan(
            spec(MisfirePolicy.skip(), Duration.ofSeconds(1)), stored(longAgo), NOW, ids);
    assertThat(fire.jobs()).isEmpty();
    assertThat(fire.lastFireAt()).isNull();
    assertThat(fire.nextFireAt()).isEqualTo(Instant.parse("2026-06-01T12:01:00Z"));
  }

  @Test
  void aHugeBacklogOfOnTimeFiresIsCappedPerFireAndContinuesNextPass() {
    Instant start = NOW.minus(Duration.ofDays(2));
    ScheduleFire fire =
        FirePlanner.plan(
            spec(MisfirePolicy.fireOnce(), Duration.ofDays(3)),
            stored(start.truncatedTo(java.time.temporal.ChronoUnit.MINUTES)),
            NOW,
            ids);
    assertThat(fire.jobs()).hasSize(FirePlanner.MAX_ON_TIME);
    assertThat(fire.nextFireAt()).isBefore(NOW);
  }
}
