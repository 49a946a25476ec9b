package dev.keel.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.Job;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobState;
import dev.keel.queue.testkit.servers.TestSql;
import dev.keel.queue.testkit.servers.ThrowawayRedisServer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link LedgerCheck} catches what it claims to: a clean run passes, then the ledger,
 * the events and the expected ids are tampered with the way each broken guarantee would show, and
 * each must be reported.
 */
class LedgerCheckSelfTest {
  private static final LedgerDatabase LEDGER = LedgerDatabase.forClass(LedgerCheckSelfTest.class);
  private static ThrowawayRedisServer redis;

  @BeforeAll
  static void startServer() {
    redis = new ThrowawayRedisServer();
  }

  @AfterAll
  static void stopServer() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void aCleanRunPassesAndEveryTamperingIsReported() {
    Scenario.Target target =
        new Scenario.Target("redis", RedisChaosTest.url(redis.port()), "chaos-selftest");
    try (Scenario s = Scenario.of("selftest", target, LEDGER, 1)) {
      s.enqueueBulk(200);
      s.startWorkers();
      s.awaitQuiet();
      LedgerCheck.Result clean = LedgerCheck.check(s, false);
      assertThat(clean.violations()).as("a run without faults").isEmpty();
      assertThat(clean.duplicateExecutions()).isZero();

      List<Job> done = s.all(JobQuery.tenant("default").withStates(JobState.SUCCEEDED));
      Job noFinish = done.get(0);
      Job lateStart = done.get(1);
      Job higherAttempt = done.get(2);
      String table = "\"" + s.ledgerSchema + "\".ledger";
      // A success with no finished execution behind it: a phantom or stale completion.
      TestSql.execute(
          LedgerDatabase.dataSource(),
          "DELETE FROM "
              + table
              + " WHERE phase = 'finished' AND job_id = '"
              + noFinish.id()
              + "'");
      // An execution by a worker no fault hit, started after the job succeeded.
      TestSql.execute(
          LedgerDatabase.dataSource(),
          "INSERT INTO "
              + table
              + " (job_id, attempt, lease_token, phase, worker, pid) VALUES ('"
              + lateStart.id()
              + "', "
              + lateStart.attempt()
              + ", 'forged-1', 'started', 'forger', 999999)");
      // An execution of an attempt beyond the job's final one.
      TestSql.execute(
          LedgerDatabase.dataSource(),
          "INSERT INTO "
              + table
              + " (job_id, attempt, lease_token, phase, worker, pid, at) VALUES ('"
              + higherAttempt.id()
              + "', "
              + (higherAttempt.attempt() + 1)
              + ", 'forged-2', 'started', 'forger', 999999, '2000-01-01')");
      // A job the test enqueued that the backend does not have.
      UUID missing = UUID.randomUUID();
      s.bulkIds.add(missing);
      // A second success accepted for a job, of an older attempt.
      s.events.add(
          new WorkerProcess.Event(
              "SUCCEEDED", lateStart.id(), 0, "forged-3", "forger", 999999, Instant.now()));

      LedgerCheck.Result r = LedgerCheck.check(s, false);
      assertThat(r.lost()).isEqualTo(1);
      assertThat(r.violations())
          .anyMatch(v -> v.contains(missing.toString()) && v.contains("does not have it"))
          .anyMatch(v -> v.contains(noFinish.id().toString()) && v.contains("stale or phantom"))
          .anyMatch(v -> v.contains("forged-1") && v.contains("after the job SUCCEEDED"))
          .anyMatch(v -> v.contains("forged-1") && v.contains("which no fault hit"))
          .anyMatch(v -> v.contains(higherAttempt.id().toString()) && v.contains("after its final"))
          .anyMatch(
              v -> v.contains(lateStart.id().toString()) && v.contains("accepted 2 successes"))
          .anyMatch(v -> v.contains("a success of attempt 0 was accepted"));
      s.dropLedger();
    }
  }
}
