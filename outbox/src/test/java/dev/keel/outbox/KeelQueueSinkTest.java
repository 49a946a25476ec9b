package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.Job;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.inline.InlineBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KeelQueueSinkTest {
  record Created(long id, String email) {}

  static OutboxTestDatabase db;

  @BeforeAll
  static void setUp() {
    db = OutboxTestDatabase.forClass(KeelQueueSinkTest.class);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void committedMessageBecomesAJobThatRunsWithTheTypedPayloadTenantAndHeaders() {
    List<Created> handled = new CopyOnWriteArrayList<>();
    try (Keel keel =
            Keel.builder()
                .backend(InlineBackend.create())
                .register("user.created", Created.class, JobHandler.of(handled::add))
                .build();
        Worker worker = keel.worker().pollInterval(Duration.ofMillis(20)).build().start();
        OutboxRelay relay =
            db.outbox()
                .relay(KeelQueueSink.of(keel.client()))
                .pollInterval(Duration.ofMillis(50))
                .build()
                .start()) {
      UUID id =
          db.jdbi()
              .inTransaction(
                  h ->
                      db.outbox()
                          .record(
                              h,
                              OutboxMessage.of(
                                      "user.created", "user-7", "{\"id\":7,\"email\":\"g@x\"}")
                                  .withTenant("acme")
                                  .withHeader("source", "signup")));
      await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 1);
      assertThat(handled).containsExactly(new Created(7, "g@x"));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> db.outbox().find(id).orElseThrow().state() == OutboxState.DELIVERED);
      String receipt = db.outbox().find(id).orElseThrow().receipt();
      assertThat(receipt).startsWith("job ").contains(" created");
      UUID jobId = UUID.fromString(receipt.split(" ")[1]);
      Job job = keel.client().find("acme", jobId).orElseThrow();
      assertThat(job.idempotencyKey()).isEqualTo("outbox:" + id);
      assertThat(job.metadata())
          .containsEntry("source", "signup")
          .containsEntry(KeelQueueSink.MESSAGE_ID_METADATA, id.toString());
    }
  }

  @Test
  void redeliveredMessageFindsTheJobItAlreadyCreatedEvenAfterItFinished() throws Exception {
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register("e", Map.class, JobHandler.of(p -> {}))
            .build()) {
      KeelQueueSink sink = KeelQueueSink.builder(keel.client()).queue("outbox").build();
      RelayedMessage m =
          new RelayedMessage(
              UUID.randomUUID(), 1, "default", "k", "e", "{\"a\":1}", Map.of(), 1, Instant.EPOCH);
      String first = sink.publish(m).summary();
      // The relay crashed before marking the message delivered; another relay publishes it again.
      String second = sink.publish(m).summary();
      assertThat(first).contains("created");
      assertThat(second).contains("existed");
      assertThat(second.split(" ")[1]).isEqualTo(first.split(" ")[1]);
      keel.drain();
      Job job = keel.client().find(UUID.fromString(first.split(" ")[1])).orElseThrow();
      assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(job.queue()).isEqualTo("outbox");
      String third = sink.publish(m).summary();
      assertThat(third).contains("existed");
    }
  }
}
