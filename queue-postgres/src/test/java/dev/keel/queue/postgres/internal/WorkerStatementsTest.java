package dev.keel.queue.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.postgres.PostgresBackend;
import dev.keel.queue.postgres.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker-side statements as the database runs them: the commit mode they set for their own
 * transaction, and a fenced update's plan when the table's statistics are stale.
 */
class WorkerStatementsTest {
  private static PostgresTestDatabase db;
  private static Statements sql;

  @BeforeAll
  static void schema() {
    db = PostgresTestDatabase.forClass(WorkerStatementsTest.class);
    PostgresBackend.builder().dataSource(db.dataSource()).schema(db.schema()).build().close();
    sql = new Statements(new SchemaName(db.schema()));
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @BeforeEach
  void empty() {
    db.execute("TRUNCATE \"" + db.schema() + "\".jobs");
  }

  private void pending(int n) {
    db.execute(
        "INSERT INTO \""
            + db.schema()
            + "\".jobs (id, type, queue, tenant, payload, priority, state, attempt, max_attempts,"
            + " run_at, created_at) SELECT gen_random_uuid(), 'tick', 'default', 'default',"
            + " '{}', 0, 'pending', 0, 25, now(), now() FROM generate_series(1, "
            + n
            + ")");
  }

  private static List<String[]> claim(Connection c, int limit, String commitMode) throws Exception {
    return SqlCall.on(c, sql.claim)
        .bind("owner", "w")
        .bind("leaseMillis", 30_000L)
        .bindArray("queues", "text", List.of("default"))
        .bindArray("includeTypes", "text", List.of())
        .bindArray("excludeTypes", "text", List.of())
        .bind("tenant", null)
        .bind("limit", limit)
        .bind("commitMode", commitMode)
        .query(rs -> new String[] {rs.getString("id"), rs.getString("lease_token")});
  }

  private static String setting(Connection c) throws Exception {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('synchronous_commit')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void claimAndFinishSetTheWorkerCommitModeForTheirOwnTransactionOnly() throws Exception {
    pending(3);
    try (Connection c = db.dataSource().getConnection()) {
      String session = setting(c);
      c.setAutoCommit(false);
      List<String[]> claimed = claim(c, 2, "off");
      assertThat(claimed).hasSize(2);
      assertThat(setting(c)).as("inside the claim's transaction").isEqualTo("off");
      c.commit();
      assertThat(setting(c)).as("after it: the session's own").isEqualTo(session);

      List<UUID> ids = new ArrayList<>();
      List<String> tokens = new ArrayList<>();
      for (String[] row : claimed) {
        ids.add(UUID.fromString(row[0]));
        tokens.add(row[1]);
      }
      List<UUID> finished =
          SqlCall.on(c, sql.finishSucceed)
              .bindArray("ids", "uuid", ids)
              .bindArray("tokens", "text", tokens)
              .bind("commitMode", "off")
              .query(rs -> rs.getObject(1, UUID.class));
      assertThat(finished).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(setting(c)).isEqualTo("off");
      c.commit();

      assertThat(claim(c, 1, null)).hasSize(1);
      assertThat(setting(c)).as("null keeps the session's setting").isEqualTo(session);
      c.commit();
    }
  }

  @Test
  void aFencedUpdateLooksUpEachLeaseByPrimaryKeyEvenWithStaleStatistics() throws Exception {
    // Statistics taken while no job runs, then thousands run: the shape that once made the
    // planner join every running job to every lease of a finish.
    pending(6_000);
    db.execute("ANALYZE \"" + db.schema() + "\".jobs");
    try (Connection c = db.dataSource().getConnection()) {
      List<String[]> claimed = claim(c, 5_000, null);
      List<String> ids = new ArrayList<>();
      List<String> tokens = new ArrayList<>();
      for (String[] row : claimed.subList(0, 500)) {
        ids.add(row[0]);
        tokens.add(row[1]);
      }
      // A server-side prepared statement, so that plan_cache_mode decides generic or custom.
      assertThat(sql.finishSucceed.parameters()).containsExactly("ids", "tokens", "commitMode");
      String body = sql.finishSucceed.jdbcSql();
      for (int k = 1; body.contains("?"); k++) {
        body = body.replaceFirst("\\?", "\\$" + k);
      }
      String args =
          "ARRAY['"
              + String.join("','", ids)
              + "']::uuid[], ARRAY['"
              + String.join("','", tokens)
              + "']::text[], NULL";
      for (String mode : List.of("force_generic_plan", "force_custom_plan")) {
        c.setAutoCommit(false);
        StringBuilder plan = new StringBuilder();
        try (Statement st = c.createStatement()) {
          st.execute("SET LOCAL plan_cache_mode = " + mode);
          st.execute("PREPARE fenced(uuid[], text[], text) AS " + body);
          try (ResultSet rs = st.executeQuery("EXPLAIN EXECUTE fenced(" + args + ")")) {
            while (rs.next()) {
              plan.append(rs.getString(1)).append('\n');
            }
          }
          st.execute("DEALLOCATE fenced");
        }
        c.rollback();
        c.setAutoCommit(true);
        // Never the partial index on RUNNING jobs; a custom plan for a tenth of a small table
        // may hash-join a sequential scan, which is linear too.
        assertThat(plan.toString()).as(mode).doesNotContain("jobs_lease_idx");
        if (mode.equals("force_generic_plan")) {
          assertThat(plan.toString()).as(mode).contains("Index Scan using jobs_pkey");
        }
      }
    }
  }
}
