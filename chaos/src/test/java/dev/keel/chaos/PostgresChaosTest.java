package dev.keel.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.JobRequest;
import dev.keel.queue.KeelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fault scenarios on PostgreSQL. The queue lives on a private server of this class (each scenario
 * in a schema of its own), so a scenario may restart, crash or lock it; the ledger lives on the
 * shared server, which nothing here breaks.
 */
class PostgresChaosTest extends ChaosScenarios {
  private static final LedgerDatabase LEDGER = LedgerDatabase.forClass(PostgresChaosTest.class);
  private static PrivatePostgres pg;

  @BeforeAll
  static void startServer() {
    pg = new PrivatePostgres();
  }

  @AfterAll
  static void stopServer() {
    if (pg != null) {
      pg.close();
    }
  }

  @Override
  Scenario.Target target(String scenario) {
    return new Scenario.Target("postgres", pg.keelUrl(), "q_" + scenario.replace('-', '_'));
  }

  @Override
  String prefix() {
    return "pg";
  }

  @Override
  LedgerDatabase ledger() {
    return LEDGER;
  }

  @Override
  int serverPort() {
    return pg.port();
  }

  @Override
  String urlVia(int port) {
    return PrivatePostgres.keelUrl("127.0.0.1:" + port);
  }

  /**
   * The outbox relay and the delivery ledger under the same faults: while the test records messages
   * (one transaction each) on the private server, relays in the worker processes publish them as
   * Keel jobs, whose handler performs each message's effect through the delivery ledger (in-flight
   * policy: resend with the same provider key, sending lease 3 s). Workers are killed at random
   * moments and the server is restarted once. No committed message may be lost, each must become
   * one job, and each effect must reach the provider under one provider key with one call that is
   * not a resumption of an interrupted send.
   */
  @Test
  void outboxRelayAndDeliveryLedgerUnderKillsAndARestart() throws Exception {
    try (Scenario s = Scenario.of("pg-outbox", target("outbox"), LEDGER, 3)) {
      OutboxChaos o = new OutboxChaos(pg, "o_outbox");
      OutboxWorker.createProviderTable(LedgerDatabase.dataSource(), s.ledgerSchema);
      s.extraWorkerEnvironment.putAll(o.workerEnvironment());
      s.startWorkers();
      o.startRecording(ChaosSettings.outboxMessages(), 20);
      int kills = 0;
      boolean restarted = false;
      while (o.recording() && kills < ChaosSettings.kills()) {
        Scenario.sleep(ThreadLocalRandom.current().nextLong(500, 1500));
        if (!restarted && kills >= 2) {
          s.recordServerFault("RESTART-FAST");
          pg.restartFast();
          restarted = true;
        } else {
          s.killAndRestart(ThreadLocalRandom.current().nextInt(s.workers()));
          kills++;
        }
      }
      o.awaitRecorded();
      await("every committed outbox message delivered")
          .atMost(ChaosSettings.completion())
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(o::allDelivered);
      s.awaitQuiet();
      // Checked before Verdict, which drops the ledger schema (the provider's calls live there).
      OutboxChaos.Result r = o.check(s, LedgerDatabase.dataSource());
      ChaosResults.addOutbox(r);
      System.out.println(r.row());
      Verdict.of(s);
      assertThat(r.violations()).as("outbox guarantees broken in %s", s.name).isEmpty();
      assertThat(kills).as("kills injected").isGreaterThanOrEqualTo(3);
      assertThat(restarted).as("server restarted").isTrue();
      assertThat(r.messages())
          .as("messages committed")
          .isGreaterThan(ChaosSettings.outboxMessages() / 2);
    }
  }

  @Override
  java.util.Optional<String> maintenanceLockHolder(Scenario.Target t) {
    try (java.sql.Connection c = pg.connect();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT owner FROM \""
                    + t.schema()
                    + "\".locks WHERE name = 'maintenance' AND expires_at > now()");
        java.sql.ResultSet rs = ps.executeQuery()) {
      return rs.next() ? java.util.Optional.of(rs.getString(1)) : java.util.Optional.empty();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot read the maintenance lock of " + t.schema(), e);
    }
  }

  /** A clean restart of the server (pg_ctl restart -m fast) while the workers run. */
  @Test
  void serverFastRestartUnderLoad() {
    try (Scenario s = Scenario.of("pg-restart-fast", target("restartfast"), LEDGER, 3)) {
      s.enqueueBulk(ChaosSettings.jobs());
      s.startWorkers();
      s.startIdempotentLoad(20);
      for (int i = 0; i < ChaosSettings.rounds(); i++) {
        Scenario.sleep(ThreadLocalRandom.current().nextLong(800, 1500));
        s.recordServerFault("RESTART-FAST");
        pg.restartFast();
      }
      s.stopIdempotentLoad();
      s.awaitQuiet();
      Verdict.of(s);
      assertThat(s.allProcesses).as("no worker died").allMatch(WorkerProcess::isAlive);
    }
  }

  /**
   * A crash of the server (pg_ctl stop -m immediate), down for {@link ChaosSettings#outage()}, then
   * started again: workers reconnect and every job ends SUCCEEDED. Worker commits are asynchronous
   * by default, so the last moments of claims and results may be lost in the crash; those jobs run
   * again, which the ledger shows as duplicates on the workers the fault hit.
   */
  @Test
  void serverCrashAndOutageUnderLoad() {
    try (Scenario s = Scenario.of("pg-crash-outage", target("outage"), LEDGER, 3)) {
      s.crashMayLoseRecentCommits = true;
      s.enqueueBulk(ChaosSettings.jobs());
      s.startWorkers();
      s.startIdempotentLoad(20);
      for (int i = 0; i < ChaosSettings.rounds(); i++) {
        Scenario.sleep(ThreadLocalRandom.current().nextLong(800, 1500));
        s.recordServerFault("CRASH+DOWN-" + ChaosSettings.outage().toSeconds() + "s");
        pg.stop("immediate");
        Scenario.sleep(ChaosSettings.outage().toMillis());
        pg.start();
      }
      s.stopIdempotentLoad();
      s.awaitQuiet();
      LedgerCheck.Result r = Verdict.of(s);
      assertThat(s.allProcesses).as("no worker died").allMatch(WorkerProcess::isAlive);
      assertThat(r.idempotentEnqueues()).isPositive();
      assertThat(s.idempotentEnqueueFailures.get())
          .as("enqueues during the outage failed loudly")
          .isPositive();
    }
  }

  /**
   * The database made read-only under load (ALTER SYSTEM SET default_transaction_read_only +
   * reload, which reaches the sessions already open): enqueue fails with an error that says so and
   * writes nothing (not one job of the batch); once writable again, the same batch is enqueued and
   * every job ends SUCCEEDED.
   */
  @Test
  void readOnlyDatabaseRefusesEnqueuesAndWritesNothing() {
    try (Scenario s = Scenario.of("pg-read-only", target("readonly"), LEDGER, 3)) {
      s.enqueueBulk(ChaosSettings.jobs());
      s.startWorkers();
      Scenario.sleep(1000);
      s.recordServerFault("READ-ONLY");
      pg.execute("ALTER SYSTEM SET default_transaction_read_only = on");
      pg.execute("SELECT pg_reload_conf()");
      List<JobRequest<Map<String, Object>>> batch = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        batch.add(
            JobRequest.of(ChaosJobs.TYPE, Map.<String, Object>of("late", i))
                .withId(JobRequest.newId()));
      }
      // The reload reaches each session at its next statement: wait until enqueues are refused.
      await("enqueue refused by the read-only database")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                Throwable refused = catchThrowable(() -> s.node.client().enqueueAll(batch));
                assertThat(refused).as("enqueue into a read-only database").isNotNull();
                assertThat(chain(refused)).containsIgnoringCase("read-only");
              });
      Throwable single =
          catchThrowable(
              () ->
                  s.node
                      .client()
                      .enqueue(
                          JobRequest.of(ChaosJobs.TYPE, Map.<String, Object>of("late", -1))
                              .withIdempotencyKey("read-only-key")));
      System.out.println("[pg-read-only] enqueue refused with: " + single);
      assertThat(single).isInstanceOf(KeelException.class);
      assertThat(chain(single)).containsIgnoringCase("read-only");
      for (JobRequest<Map<String, Object>> r : batch) {
        assertThat(s.node.client().find(r.id())).as("half-written job %s", r.id()).isEmpty();
      }
      Scenario.sleep(ChaosSettings.LEASE.toMillis());
      pg.execute("ALTER SYSTEM RESET default_transaction_read_only");
      pg.execute("SELECT pg_reload_conf()");
      await("enqueue accepted again")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(
              () -> {
                s.node.client().enqueueAll(batch).forEach(r -> s.bulkIds.add(r.id()));
                return true;
              });
      s.awaitQuiet();
      Verdict.of(s);
      assertThat(s.bulkIds).containsAll(batch.stream().map(JobRequest::id).toList());
    }
  }

  /** The messages of {@code t} and all its causes, for asserting what the user is told. */
  private static String chain(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
    }
    return b.toString();
  }
}
