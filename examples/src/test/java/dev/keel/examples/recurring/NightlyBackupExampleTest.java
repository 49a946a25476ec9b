package dev.keel.examples.recurring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.examples.recurring.NightlyBackupExample.SimulationResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NightlyBackupExampleTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void twoHundredFiftyDaysMakeOneBackupANightAndKeepThirty() {
    SimulationResult r =
        NightlyBackupExample.simulate(Instant.parse("2026-03-01T00:00:00Z"), 250, out);
    assertThat(r.backupsMade()).as("250 backups and 250 clean-ups").isEqualTo(500);
    assertThat(r.backupsKept()).isEqualTo(NightlyBackupExample.KEEP_DAYS);
    assertThat(r.maxKept()).isEqualTo(NightlyBackupExample.KEEP_DAYS + 1);
    List<Instant> kept = r.keptBackupTimes();
    for (int i = 1; i < kept.size(); i++) {
      assertThat(kept.get(i).atZone(NightlyBackupExample.BERLIN).toLocalDate())
          .isEqualTo(kept.get(i - 1).atZone(NightlyBackupExample.BERLIN).toLocalDate().plusDays(1));
      assertThat(kept.get(i).atZone(NightlyBackupExample.BERLIN).toLocalTime())
          .isEqualTo(LocalTime.of(2, 0));
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("db.backup.nightly");
  }

  @Test
  void bothDaylightSavingNightsGetExactlyOneBackup() {
    List<Instant> spring =
        NightlyBackupExample.simulate(Instant.parse("2026-03-27T12:00:00Z"), 4, out)
            .keptBackupTimes();
    // 2026-03-29 has no 02:00 in Berlin: the backup runs at 03:00 CEST, the first instant after.
    assertThat(spring)
        .containsExactly(
            Instant.parse("2026-03-28T01:00:00Z"),
            Instant.parse("2026-03-29T01:00:00Z"),
            Instant.parse("2026-03-30T00:00:00Z"),
            Instant.parse("2026-03-31T00:00:00Z"));
    List<Instant> autumn =
        NightlyBackupExample.simulate(Instant.parse("2026-10-23T12:00:00Z"), 4, out)
            .keptBackupTimes();
    // 2026-10-25 has 02:00 twice: one backup, at the first (CEST).
    assertThat(autumn)
        .containsExactly(
            Instant.parse("2026-10-24T00:00:00Z"),
            Instant.parse("2026-10-25T00:00:00Z"),
            Instant.parse("2026-10-26T01:00:00Z"),
            Instant.parse("2026-10-27T01:00:00Z"));
  }

  @Test
  void onPostgresTheSchedulesAreStoredAndTheManualBackupRuns() throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putIfAbsent(
        "KEEL_TEST_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    env.put("KEEL_DATABASE_URL", env.get("KEEL_TEST_DATABASE_URL"));
    env.put("KEEL_DATABASE_SCHEMA", "backup_example_test");
    assertThat(NightlyBackupExample.onServer("postgres", env, out))
        .as(bytes.toString(StandardCharsets.UTF_8))
        .isTrue();
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("db.backup.cleanup")
        .contains("cron '0 2 * * *' in Europe/Berlin")
        .contains("SUCCEEDED");
  }

  @Test
  void onRedisTheSchedulesAreStoredAndTheManualBackupRuns() throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putIfAbsent("KEEL_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    env.put("KEEL_REDIS_URL", env.get("KEEL_TEST_REDIS_URL"));
    env.put("KEEL_REDIS_NAMESPACE", "backup-example-test");
    assertThat(NightlyBackupExample.onServer("redis", env, out))
        .as(bytes.toString(StandardCharsets.UTF_8))
        .isTrue();
  }
}
