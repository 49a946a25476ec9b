package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OutboxRecordTest {
  static OutboxTestDatabase db;
  static Outbox outbox;
  static Jdbi jdbi;

  @BeforeAll
  static void setUp() {
    db = OutboxTestDatabase.forClass(OutboxRecordTest.class);
    outbox = db.outbox();
    jdbi = db.jdbi();
    db.execute("CREATE TABLE \"" + db.schema() + "\".users (id bigint PRIMARY KEY, email text)");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void rolledBackTransactionLeavesNoMessageAndNoBusinessRow() {
    long before = db.messageCount();
    UUID[] id = new UUID[1];
    assertThatThrownBy(
            () ->
                jdbi.useTransaction(
                    h -> {
                      h.execute(
                          "INSERT INTO \"" + db.schema() + "\".users VALUES (1, 'a@example.com')");
                      id[0] = outbox.record(h, OutboxMessage.of("user.created", "user-1", "{}"));
                      throw new IllegalStateException("business rule failed");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(id[0]).isNotNull();
    assertThat(outbox.find(id[0])).isEmpty();
    assertThat(db.messageCount()).isEqualTo(before);
    assertThat(db.queryLong("SELECT count(*) FROM \"" + db.schema() + "\".users WHERE id = 1"))
        .isZero();
  }

  @Test
  void committedMessageIsPendingWithEverythingRecorded() {
    UUID id =
        jdbi.inTransaction(
            h -> {
              h.execute("INSERT INTO \"" + db.schema() + "\".users VALUES (2, 'b@example.com')");
              return outbox.record(
                  h,
                  OutboxMessage.of("user.created", "user-2", "{\"id\": 2, \"email\": \"b@x\"}")
                      .withTenant("acme")
                      .withHeader("source", "signup"));
            });
    OutboxRecord r = outbox.find(id).orElseThrow();
    assertThat(r.state()).isEqualTo(OutboxState.PENDING);
    assertThat(r.tenant()).isEqualTo("acme");
    assertThat(r.key()).isEqualTo("user-2");
    assertThat(r.type()).isEqualTo("user.created");
    assertThat(r.payload()).contains("\"email\": \"b@x\"");
    assertThat(r.headers()).isEqualTo(Map.of("source", "signup"));
    assertThat(r.attempts()).isZero();
    assertThat(id.version()).isEqualTo(7);
  }

  @Test
  void plainJdbcConnectionTwinJoinsTheCallersTransaction() throws Exception {
    UUID committed;
    UUID rolledBack;
    try (Connection c = OutboxTestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      committed = outbox.record(c, OutboxMessage.of("t.one", "k", "1"));
      c.commit();
      rolledBack = outbox.record(c, OutboxMessage.of("t.two", "k", "2"));
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThat(outbox.find(committed)).isPresent();
    assertThat(outbox.find(rolledBack)).isEmpty();
  }

  static List<Object[]> invalidMessages() {
    String big = "\"" + "x".repeat(1024 * 1024) + "\"";
    return List.of(
        new Object[] {new OutboxMessage(null, "k", "t", "{}", Map.of()), "tenant"},
        new Object[] {new OutboxMessage("bad tenant!", "k", "t", "{}", Map.of()), "tenant"},
        new Object[] {OutboxMessage.of(null, "k", "{}"), "type"},
        new Object[] {OutboxMessage.of("has space", "k", "{}"), "type"},
        new Object[] {OutboxMessage.of("t", null, "{}"), "key"},
        new Object[] {OutboxMessage.of("t", "", "{}"), "key"},
        new Object[] {OutboxMessage.of("t", "k".repeat(256), "{}"), "key"},
        new Object[] {OutboxMessage.of("t", "a\nb", "{}"), "key"},
        new Object[] {OutboxMessage.of("t", "k", null), "payload"},
        new Object[] {OutboxMessage.of("t", "k", "{not json"), "payload"},
        new Object[] {OutboxMessage.of("t", "k", "{} {}"), "payload"},
        new Object[] {OutboxMessage.of("t", "k", ""), "payload"},
        new Object[] {OutboxMessage.of("t", "k", "\"a\\u0000b\""), "payload"},
        new Object[] {OutboxMessage.of("t", "k", big), "payload"},
        new Object[] {OutboxMessage.of("t", "k", "{}").withHeader("bad name", "v"), "headers"},
        new Object[] {OutboxMessage.of("t", "k", "{}").withHeader("x", "a\r\nb"), "headers[x]"},
        new Object[] {OutboxMessage.of("t", "k", "{}").withHeader("x", null), "headers[x]"});
  }

  @ParameterizedTest
  @MethodSource("invalidMessages")
  void invalidMessageIsRefusedNamingTheFieldAndNothingIsWritten(OutboxMessage m, String field) {
    long before = db.messageCount();
    assertThatThrownBy(() -> jdbi.useHandle(h -> outbox.record(h, m)))
        .isInstanceOfSatisfying(
            InvalidOutboxMessageException.class, e -> assertThat(e.field()).isEqualTo(field));
    assertThat(db.messageCount()).isEqualTo(before);
  }

  @Test
  void nullMessageIsRefused() {
    assertThatThrownBy(() -> jdbi.useHandle(h -> outbox.record(h, null)))
        .isInstanceOfSatisfying(
            InvalidOutboxMessageException.class, e -> assertThat(e.field()).isEqualTo("message"));
  }

  @Test
  void migrationIsIdempotentAndSafeUnderConcurrentMigrators() throws Exception {
    String schema = db.schema() + "_m";
    try {
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<List<Integer>>> runs =
          List.of(
              pool.submit(
                  () -> OutboxMigrator.of(OutboxTestDatabase.dataSource(), schema).migrate()),
              pool.submit(
                  () -> OutboxMigrator.of(OutboxTestDatabase.dataSource(), schema).migrate()),
              pool.submit(
                  () -> OutboxMigrator.of(OutboxTestDatabase.dataSource(), schema).migrate()));
      int applied = 0;
      for (Future<List<Integer>> f : runs) {
        applied += f.get().size();
      }
      pool.shutdown();
      assertThat(applied).isEqualTo(OutboxMigrator.shippedVersions().size());
      OutboxMigrator m = OutboxMigrator.of(OutboxTestDatabase.dataSource(), schema);
      assertThat(m.migrate()).isEmpty();
      assertThat(m.appliedVersions()).isEqualTo(OutboxMigrator.shippedVersions());
    } finally {
      db.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }
  }

  @Test
  void badSchemaNameIsAConfigurationError() {
    assertThatThrownBy(() -> Outbox.builder().schema("Robert'); DROP TABLE x;--"))
        .isInstanceOf(dev.keel.queue.KeelConfigurationException.class)
        .hasMessageStartingWith("schema:");
  }
}
