package dev.keel.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.recurring.MisfirePolicy;
import dev.keel.queue.recurring.OverlapPolicy;
import dev.keel.queue.recurring.ScheduleTrigger;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleSpecTest {
  private static ScheduleSpec spec(
      Map<String, String> metadata, MisfirePolicy misfire, ScheduleTrigger trigger) {
    return new ScheduleSpec(
        "backup",
        trigger,
        new ScheduleSpec.JobTemplate(
            "db.backup",
            "maint",
            "default",
            "{\"db\":\"orders\"}",
            -3,
            7,
            Duration.ofMinutes(5),
            metadata,
            null,
            0),
        misfire,
        Duration.ofMinutes(2),
        OverlapPolicy.WAIT);
  }

  @Test
  void roundTripsEveryFieldAndEncodesCanonically() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("b", "2");
    ab.put("a", "1");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("a", "1");
    ba.put("b", "2");
    ScheduleTrigger cron = new ScheduleTrigger.Cron("0 2 * * *", false, ZoneId.of("Europe/Berlin"));
    ScheduleSpec one = spec(ab, MisfirePolicy.fireAll(12), cron);
    assertThat(one.encode()).isEqualTo(spec(ba, MisfirePolicy.fireAll(12), cron).encode());
    assertThat(ScheduleSpec.decode("backup", one.encode())).isEqualTo(one);
    ScheduleSpec interval =
        spec(
            Map.of(),
            MisfirePolicy.skip(),
            new ScheduleTrigger.Interval(
                Duration.ofSeconds(90), Instant.parse("2026-01-01T00:00:00.123Z")));
    assertThat(ScheduleSpec.decode("backup", interval.encode())).isEqualTo(interval);
    assertThat(one.encodeTrigger()).isNotEqualTo(interval.encodeTrigger());
  }

  @Test
  void anUnreadableSpecNamesTheSchedule() {
    assertThatThrownBy(() -> ScheduleSpec.decode("x", "{\"format\":99}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'x'")
        .hasMessageContaining("format 99");
  }
}
