package dev.keel.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-rescue bound of the scenarios whose workers run maintenance. */
class RescueBoundTest {

  private static final Instant FAULT = Instant.parse("2026-12-07T12:00:00Z");

  @Test
  void withoutHolderKillsTheBoundIsLeasePlusHeartbeatPlusIntervalPlusSlack() {
    assertThat(ChaosSettings.rescueBound(0)).isEqualTo(ChaosSettings.RESCUE_BOUND);
    assertThat(ChaosSettings.RESCUE_BOUND).isEqualTo(Duration.ofMillis(5250));
  }

  @Test
  void everyHolderKillAddsOneLockTtl() {
    assertThat(ChaosSettings.rescueBound(2)).isEqualTo(Duration.ofMillis(5250 + 2 * 5000));
  }

  @Test
  void countsHolderKillsFromOneTtlBeforeTheFaultUntilTheRescue() {
    Scenario.Rescue rescue = new Scenario.Rescue(FAULT, Duration.ofSeconds(12));
    List<Instant> kills =
        List.of(
            FAULT.minusSeconds(6), // its lock ran out before the fault: cannot hold it back
            FAULT.minusSeconds(5), // its lock may still have been in force at the fault
            FAULT, // the fault itself hit the holder
            FAULT.plusSeconds(8), // the worker that took the lock over, before it rescued
            FAULT.plusSeconds(13)); // after the rescue
    assertThat(LedgerCheck.holderKillsAround(kills, rescue)).isEqualTo(3);
    assertThat(LedgerCheck.holderKillsAround(List.of(), rescue)).isZero();
  }
}
