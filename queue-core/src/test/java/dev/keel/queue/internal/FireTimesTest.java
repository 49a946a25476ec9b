package dev.keel.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.recurring.ScheduleTrigger;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class FireTimesTest {
  private static FireTimes cron(String expression, String zone) {
    return FireTimes.of(new ScheduleTrigger.Cron(expression, false, ZoneId.of(zone)));
  }

  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @Test
  void berlinSpringForwardDayFiresAtTheEndOfTheGap() {
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:00 does not exist (cron-utils skips the day).
    FireTimes t = cron("0 2 * * *", "Europe/Berlin");
    assertThat(t.nextAfter(at("2026-03-28T00:00:00Z"))).isEqualTo(at("2026-03-28T01:00:00Z"));
    assertThat(t.nextAfter(at("2026-03-28T01:00:00Z"))).isEqualTo(at("2026-03-29T01:00:00Z"));
    assertThat(t.nextAfter(at("2026-03-29T01:00:00Z"))).isEqualTo(at("2026-03-30T00:00:00Z"));
    assertThat(t.latestAtOrBefore(at("2026-03-29T12:00:00Z")))
        .isEqualTo(at("2026-03-29T01:00:00Z"));
  }

  @Test
  void berlinFallBackDayFiresOnceAtTheFirstOccurrence() {
    // 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:00 happens twice.
    FireTimes t = cron("0 2 * * *", "Europe/Berlin");
    assertThat(t.nextAfter(at("2026-10-24T12:00:00Z"))).isEqualTo(at("2026-10-25T00:00:00Z"));
    assertThat(t.nextAfter(at("2026-10-25T00:00:00Z"))).isEqualTo(at("2026-10-26T01:00:00Z"));
  }

  @Test
  void timesInsideTheRepeatedHourFireOnceAndNeverGoBack() {
    // Every 15 minutes across New York's fall-back hour (01:00-02:00 twice on 2026-11-01).
    FireTimes t = cron("*/15 * * * *", "America/New_York");
    Instant x = at("2026-11-01T05:00:00Z"); // 01:00 EDT
    int fires = 0;
    Instant previous = x;
    while (x.isBefore(at("2026-11-01T07:00:00Z"))) { // 02:00 EST
      Instant next = t.nextAfter(x);
      assertThat(next).isAfter(previous);
      previous = next;
      x = next;
      fires++;
    }
    // 01:15, 01:30, 01:45 (EDT, once each), then 02:00 EST: the repeated 01:xx EST do not fire.
    assertThat(fires).isEqualTo(4);
  }

  @Test
  void severalTimesInOneGapFoldIntoOneFire() {
    FireTimes t = cron("*/20 2 * * *", "Europe/Berlin");
    Instant gapEnd = at("2026-03-29T01:00:00Z");
    assertThat(t.nextAfter(at("2026-03-29T00:30:00Z"))).isEqualTo(gapEnd);
    assertThat(t.nextAfter(gapEnd)).isEqualTo(at("2026-03-30T00:00:00Z"));
  }

  @Test
  void intervalsCountFromTheirAnchor() {
    FireTimes t =
        FireTimes.of(
            new ScheduleTrigger.Interval(Duration.ofMinutes(10), at("2026-01-01T00:05:00Z")));
    assertThat(t.nextAfter(at("2025-01-01T00:00:00Z"))).isEqualTo(at("2026-01-01T00:05:00Z"));
    assertThat(t.nextAfter(at("2026-01-01T00:05:00Z"))).isEqualTo(at("2026-01-01T00:15:00Z"));
    assertThat(t.nextAfter(at("2026-01-01T00:14:59.999Z"))).isEqualTo(at("2026-01-01T00:15:00Z"));
    assertThat(t.latestAtOrBefore(at("2026-01-01T00:15:00Z")))
        .isEqualTo(at("2026-01-01T00:15:00Z"));
    assertThat(t.latestAtOrBefore(at("2026-01-01T00:04:00Z"))).isNull();
  }

  @Test
  void sixFieldCronFiresOnSeconds() {
    FireTimes t = FireTimes.of(new ScheduleTrigger.Cron("*/15 * * * * *", true, ZoneId.of("UTC")));
    assertThat(t.nextAfter(at("2026-01-01T00:00:01Z"))).isEqualTo(at("2026-01-01T00:00:15Z"));
    assertThat(t.latestAtOrBefore(at("2026-01-01T00:00:44.9Z")))
        .isEqualTo(at("2026-01-01T00:00:30Z"));
  }
}
