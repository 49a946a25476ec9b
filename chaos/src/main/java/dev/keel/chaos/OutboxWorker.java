package dev.keel.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.outbox.DeliveryInProgressException;
import dev.keel.outbox.DeliveryLedger;
import dev.keel.outbox.DeliveryOutcome;
import dev.keel.outbox.InFlightPolicy;
import dev.keel.outbox.KeelQueueSink;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.queue.Job;
import dev.keel.queue.JobClient;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * The outbox half of a worker process in the outbox scenario: an {@link OutboxRelay} that publishes
 * the messages the test records as Keel jobs ({@link KeelQueueSink}), and the handler of those
 * jobs, which performs each message's effect through a {@link DeliveryLedger} keyed by the
 * message's key.
 *
 * <p>The effect is a call to a "provider" that deduplicates by the ledger's provider key, as the
 * in-flight policy {@link InFlightPolicy#RESEND_WITH_SAME_PROVIDER_KEY} expects: every call is
 * appended to {@code provider_calls} in the (never broken) ledger database, so the test can count,
 * per ledger key, the provider keys used and the calls that were not resumptions.
 */
final class OutboxWorker implements AutoCloseable {
  /** The job type the relay enqueues. */
  static final String TYPE = "chaos.deliver";

  /** The queue the relay enqueues into. */
  static final String QUEUE = "outbox";

  /** The delivery ledger's sending lease: past it, an interrupted send is resumed. */
  static final Duration SENDING_LEASE = Duration.ofSeconds(3);

  private final HikariDataSource outboxPool;
  private final HikariDataSource providerPool;
  private final String callsTable;
  private final DeliveryLedger deliveries;
  private OutboxRelay relay;

  OutboxWorker(Map<String, String> env, int poolSize) {
    String schema = env.get("CHAOS_OUTBOX_SCHEMA");
    outboxPool =
        Pools.hikari(
            env.get("CHAOS_OUTBOX_JDBC_URL"),
            env.get("CHAOS_OUTBOX_USER"),
            null,
            poolSize,
            "outbox");
    providerPool =
        Pools.hikari(
            env.get("CHAOS_LEDGER_JDBC_URL"),
            env.get("CHAOS_LEDGER_USER"),
            env.get("CHAOS_LEDGER_PASSWORD"),
            poolSize,
            "provider");
    callsTable = "\"" + env.get("CHAOS_LEDGER_SCHEMA") + "\".provider_calls";
    Outbox outbox = Outbox.builder().dataSource(outboxPool).schema(schema).build();
    deliveries =
        outbox
            .ledger()
            .inFlightPolicy(InFlightPolicy.RESEND_WITH_SAME_PROVIDER_KEY)
            .sendingLease(SENDING_LEASE)
            .build();
    this.outbox = outbox;
  }

  private final Outbox outbox;

  /**
   * Creates the provider's call table in the ledger schema (the test calls this before workers).
   */
  static void createProviderTable(DataSource ledger, String ledgerSchema) {
    try (Connection c = ledger.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS \""
              + ledgerSchema
              + "\".provider_calls (seq bigserial PRIMARY KEY, ledger_key text NOT NULL,"
              + " provider_key text NOT NULL, resumed boolean NOT NULL, worker text NOT NULL,"
              + " pid bigint NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the provider_calls table", e);
    }
  }

  /** The job type whose handler delivers a message's effect once per key. */
  JobType<JsonNode> type(Ledger ledger, String worker, long pid) {
    JobHandler<JsonNode> handler =
        ctx -> {
          Job job = ctx.job();
          ledger.append(job.id(), job.attempt(), job.leaseToken(), Ledger.STARTED, worker, pid);
          String key = "effect:" + ctx.payload().path("key").asText();
          long giveUp = System.nanoTime() + SENDING_LEASE.multipliedBy(3).toNanos();
          while (true) {
            try {
              deliveries.execute(
                  job.tenant(),
                  key,
                  ctx.payload(),
                  attempt -> {
                    providerCall(
                        key,
                        attempt.providerKey(),
                        attempt.resumedAfterInterruption(),
                        worker,
                        pid);
                    // The provider answers slowly, so that kills land between its effect and the
                    // ledger's SENT: those sends are resumed with the same provider key.
                    Thread.sleep(ThreadLocalRandom.current().nextInt(5, 41));
                    return DeliveryOutcome.of(attempt.providerKey(), "accepted");
                  });
              break;
            } catch (DeliveryInProgressException busy) {
              // Another process holds a live sending lease on this key (a killed worker's, until
              // it runs out): wait here, heartbeated, rather than snooze, so that the ledger shows
              // one execution per claim. Past three sending leases something is wrong: fail.
              if (System.nanoTime() > giveUp) {
                throw busy;
              }
              Thread.sleep(200);
            }
          }
          ledger.append(job.id(), job.attempt(), job.leaseToken(), Ledger.FINISHED, worker, pid);
          return JobOutcome.success();
        };
    return JobType.of(TYPE, JsonNode.class, handler).withMaxAttempts(ChaosJobs.MAX_ATTEMPTS);
  }

  /** Starts the relay, which publishes into {@code client}'s queue {@link #QUEUE}. */
  void startRelay(JobClient client, String id, Duration lease, Duration poll) {
    relay =
        outbox
            .relay(KeelQueueSink.builder(client).queue(QUEUE).jobType(m -> TYPE).build())
            .id(id)
            .leaseDuration(lease)
            .pollInterval(poll)
            .build()
            .start();
  }

  private void providerCall(
      String ledgerKey, String providerKey, boolean resumed, String worker, long pid) {
    try (Connection c = providerPool.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO "
                    + callsTable
                    + " (ledger_key, provider_key, resumed, worker, pid) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, ledgerKey);
      ps.setString(2, providerKey);
      ps.setBoolean(3, resumed);
      ps.setString(4, worker);
      ps.setLong(5, pid);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("the provider could not record the call for " + ledgerKey, e);
    }
  }

  @Override
  public void close() {
    if (relay != null) {
      relay.close();
    }
    outboxPool.close();
    providerPool.close();
  }
}
