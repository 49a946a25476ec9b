package dev.keel.chaos;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The independent record of every execution: one row when a handler starts and one when its body
 * returns, with the job id, attempt, lease token, worker and pid, timed by the ledger server's
 * {@code clock_timestamp()}. It lives in a PostgreSQL schema of its own on a server the scenario
 * never breaks, so it survives every fault injected into the queue's backend.
 */
public final class Ledger implements AutoCloseable {
  /** Phases of an execution. */
  public static final String STARTED = "started";

  public static final String FINISHED = "finished";

  private final HikariDataSource pool;
  private final String table;

  private Ledger(HikariDataSource pool, String schema) {
    this.pool = pool;
    this.table = "\"" + schema + "\".ledger";
  }

  /** Opens the ledger in {@code schema} (created with its table if missing). */
  public static Ledger open(
      String jdbcUrl, String user, String password, String schema, int poolSize) {
    HikariDataSource pool = Pools.hikari(jdbcUrl, user, password, poolSize, "ledger");
    Ledger ledger = new Ledger(pool, schema);
    ledger.createIfMissing(schema);
    return ledger;
  }

  private void createIfMissing(String schema) {
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " (seq bigserial PRIMARY KEY, job_id uuid NOT NULL, attempt int NOT NULL,"
              + " lease_token text, phase text NOT NULL, worker text NOT NULL, pid bigint NOT NULL,"
              + " at timestamptz NOT NULL DEFAULT clock_timestamp())");
    } catch (SQLException e) {
      // Two processes may race to create the table; the loser sees a unique violation.
      if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
        throw new IllegalStateException("cannot create the ledger table " + table, e);
      }
    }
  }

  /** Appends one row, committed before it returns. */
  public void append(
      UUID jobId, int attempt, String leaseToken, String phase, String worker, long pid) {
    try (Connection c = pool.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO "
                    + table
                    + " (job_id, attempt, lease_token, phase, worker, pid) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setObject(1, jobId);
      ps.setInt(2, attempt);
      ps.setString(3, leaseToken);
      ps.setString(4, phase);
      ps.setString(5, worker);
      ps.setLong(6, pid);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot append to the ledger " + table, e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
