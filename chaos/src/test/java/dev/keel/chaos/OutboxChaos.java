package dev.keel.chaos;

import dev.keel.outbox.DeliveryLedger;
import dev.keel.outbox.InFlightPolicy;
import dev.keel.outbox.LedgerEntry;
import dev.keel.outbox.LedgerState;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxMessage;
import dev.keel.outbox.OutboxRecord;
import dev.keel.outbox.OutboxState;
import dev.keel.queue.Job;
import dev.keel.queue.JobQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The outbox half of the outbox scenario: records messages on the private PostgreSQL (one
 * transaction each) while the faults run, then checks every message against the outbox, the Keel
 * jobs the relays published, the delivery ledger and the provider's own record of calls.
 */
final class OutboxChaos {
  /** One row of the outbox results table. */
  record Result(
      String scenario,
      int messages,
      int uncertain,
      int faults,
      int lost,
      int jobsPerMessageAboveOne,
      int effectsMissing,
      int effectsTwice,
      int resends,
      List<String> violations) {

    String row() {
      return "| "
          + String.join(
              " | ",
              scenario,
              Integer.toString(messages),
              Integer.toString(uncertain),
              Integer.toString(faults),
              Integer.toString(lost),
              Integer.toString(jobsPerMessageAboveOne),
              Integer.toString(effectsMissing),
              Integer.toString(effectsTwice),
              Integer.toString(resends),
              violations.isEmpty() ? "ok" : violations.size() + " VIOLATIONS")
          + " |";
    }
  }

  final String schema;
  final Outbox outbox;
  final DeliveryLedger deliveries;
  private final PrivatePostgres pg;

  /** Ledger key (payload key) to the message id, for commits that returned. */
  final Map<String, UUID> committed = new ConcurrentHashMap<>();

  /** Ledger keys whose commit failed: the message may or may not exist. */
  final Set<String> uncertain = ConcurrentHashMap.newKeySet();

  final AtomicInteger recordFailures = new AtomicInteger();
  private final AtomicBoolean recording = new AtomicBoolean();
  private Thread recorder;

  OutboxChaos(PrivatePostgres pg, String schema) {
    this.pg = pg;
    this.schema = schema;
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(pg.jdbcUrl() + "?connectTimeout=5");
    ds.setUser("postgres");
    this.outbox = Outbox.builder().dataSource(ds).schema(schema).build();
    outbox.migrate();
    // Only read here; the policy is the workers' (OutboxWorker).
    this.deliveries =
        outbox.ledger().inFlightPolicy(InFlightPolicy.RESEND_WITH_SAME_PROVIDER_KEY).build();
  }

  /** The variables a worker needs to relay and deliver (see {@code OutboxWorker}). */
  Map<String, String> workerEnvironment() {
    return Map.of(
        "CHAOS_OUTBOX_SCHEMA",
        schema,
        "CHAOS_OUTBOX_JDBC_URL",
        pg.jdbcUrl(),
        "CHAOS_OUTBOX_USER",
        "postgres");
  }

  /**
   * Records {@code n} messages in the background, one transaction each, {@code gapMillis} apart.
   */
  void startRecording(int n, long gapMillis) {
    recording.set(true);
    recorder =
        new Thread(
            () -> {
              Connection c = null;
              for (int i = 0; i < n && recording.get(); i++) {
                String key = "m" + i;
                String payload = "{\"key\":\"" + key + "\",\"n\":" + i + "}";
                // Ordered per outbox key: 20 keys, so a message waits for earlier ones of its key.
                OutboxMessage m = OutboxMessage.of("chaos.effect", "k" + (i % 20), payload);
                boolean sentCommit = false;
                try {
                  if (c == null) {
                    c = pg.connect();
                    c.setAutoCommit(false);
                  }
                  UUID id = outbox.record(c, m);
                  sentCommit = true;
                  c.commit();
                  committed.put(key, id);
                } catch (RuntimeException | SQLException e) {
                  // Expected while the server restarts. A failed insert wrote nothing; a failed
                  // commit may or may not have committed.
                  recordFailures.incrementAndGet();
                  if (sentCommit) {
                    uncertain.add(key);
                  }
                  closeQuietly(c, e);
                  c = null;
                  Scenario.sleep(200);
                }
                Scenario.sleep(gapMillis);
              }
              closeQuietly(c, null);
              recording.set(false);
            },
            "chaos-outbox-recorder");
    recorder.setDaemon(true);
    recorder.start();
  }

  private static void closeQuietly(Connection c, Exception cause) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      if (cause != null) {
        cause.addSuppressed(e);
      }
      System.err.println("[outbox] closing the recorder's connection failed: " + e);
    }
  }

  boolean recording() {
    return recording.get();
  }

  void awaitRecorded() throws InterruptedException {
    recorder.join();
  }

  /** Whether every committed message is DELIVERED. */
  boolean allDelivered() {
    for (UUID id : committed.values()) {
      Optional<OutboxRecord> r = outbox.find(id);
      if (r.isEmpty() || r.get().state() != OutboxState.DELIVERED) {
        return false;
      }
    }
    return true;
  }

  /** Every check, once the scenario is quiet. */
  Result check(Scenario s, DataSource ledgerDb) {
    List<String> violations = new ArrayList<>();
    int lost = 0;
    Map<String, UUID> expected = new HashMap<>(committed);
    for (Map.Entry<String, UUID> e : expected.entrySet()) {
      Optional<OutboxRecord> r = outbox.find(e.getValue());
      if (r.isEmpty() || r.get().state() != OutboxState.DELIVERED) {
        lost++;
        violations.add(
            "message "
                + e.getKey()
                + " ("
                + e.getValue()
                + ") committed but "
                + r.map(x -> x.state() + " " + x.lastError()).orElse("missing"));
      }
    }
    // Jobs the relays published, by message id (KeelQueueSink's metadata).
    Map<String, List<Job>> jobsByMessage = new HashMap<>();
    for (Job j : s.all(JobQuery.tenant("default"))) {
      if (j.type().equals(OutboxWorker.TYPE)) {
        jobsByMessage
            .computeIfAbsent(j.metadata().get("outbox.message-id"), k -> new ArrayList<>())
            .add(j);
      }
    }
    int aboveOne = 0;
    for (Map.Entry<String, UUID> e : expected.entrySet()) {
      List<Job> jobs = jobsByMessage.getOrDefault(e.getValue().toString(), List.of());
      if (jobs.isEmpty()) {
        violations.add("message " + e.getKey() + " was delivered but no job was published");
      } else if (jobs.size() > 1) {
        aboveOne++;
        violations.add(
            "message "
                + e.getKey()
                + " became "
                + jobs.size()
                + " jobs: the sink's idempotency key let a redelivery through");
      }
    }
    // The provider's calls, per ledger key.
    Map<String, Set<String>> providerKeys = new HashMap<>();
    Map<String, Integer> freshCalls = new HashMap<>();
    int calls = 0;
    String sql =
        "SELECT ledger_key, provider_key, resumed FROM \"" + s.ledgerSchema + "\".provider_calls";
    try (Connection c = ledgerDb.getConnection();
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        calls++;
        providerKeys.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
        if (!rs.getBoolean(3)) {
          freshCalls.merge(rs.getString(1), 1, Integer::sum);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the provider's calls", e);
    }
    int missing = 0;
    int twice = 0;
    for (String key : expected.keySet()) {
      String ledgerKey = "effect:" + key;
      Set<String> pks = providerKeys.getOrDefault(ledgerKey, Set.of());
      Optional<LedgerEntry> entry = deliveries.find("default", ledgerKey);
      if (pks.isEmpty()) {
        missing++;
        violations.add("message " + key + ": its effect never reached the provider");
      } else if (pks.size() > 1 || freshCalls.getOrDefault(ledgerKey, 0) != 1) {
        twice++;
        violations.add(
            "message "
                + key
                + ": provider keys "
                + pks
                + ", "
                + freshCalls.getOrDefault(ledgerKey, 0)
                + " calls that were not resumptions: the effect may have happened twice");
      }
      if (entry.isEmpty() || entry.get().state() != LedgerState.SENT) {
        violations.add(
            "message " + key + ": delivery ledger entry " + entry.map(x -> x.state()).orElse(null));
      }
    }
    for (String key : uncertain) {
      String ledgerKey = "effect:" + key;
      if (providerKeys.getOrDefault(ledgerKey, Set.of()).size() > 1
          || freshCalls.getOrDefault(ledgerKey, 0) > 1) {
        violations.add("uncertain message " + key + ": its effect may have happened twice");
      }
    }
    Set<String> known = new HashSet<>();
    expected.keySet().forEach(k -> known.add("effect:" + k));
    uncertain.forEach(k -> known.add("effect:" + k));
    for (String ledgerKey : providerKeys.keySet()) {
      if (!known.contains(ledgerKey)) {
        violations.add("an effect for " + ledgerKey + ", a message whose insert failed");
      }
    }
    return new Result(
        s.name,
        expected.size(),
        uncertain.size(),
        s.faults.size(),
        lost,
        aboveOne,
        missing,
        twice,
        calls - providerKeys.size(),
        violations);
  }
}
