package dev.keel.examples.outbox;

import dev.keel.outbox.DeliveryLedger;
import dev.keel.outbox.DeliveryOutcome;
import dev.keel.outbox.InFlightPolicy;
import dev.keel.outbox.KeelQueueSink;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxMessage;
import dev.keel.outbox.OutboxRecord;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.RelayedMessage;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.inline.InlineBackend;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * "Welcome email exactly once": the transactional outbox and the delivery ledger together.
 *
 * <ol>
 *   <li>Sign-up writes the user row and an outbox message in one transaction: no user without a
 *       welcome email, no email for a rolled-back sign-up.
 *   <li>The relay turns each committed message into a Keel job ({@code user.welcome}).
 *   <li>The job sends through the delivery ledger, keyed {@code welcome:<userId>}, to a counting
 *       mail provider.
 * </ol>
 *
 * Midway the relay and the worker are stopped while more users sign up, then started again; a
 * duplicate job and a redelivered outbox message are thrown in on purpose. Every user still gets
 * exactly one email.
 *
 * <p>Runs against PostgreSQL at {@code KEEL_DATABASE_URL} (default {@code
 * jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), in its own schema {@code welcome_example},
 * recreated on every run.
 */
public final class WelcomeEmailExample {
  /** The job's payload. */
  public record Welcome(long userId, String email) {}

  /** What happened: emails per recipient and how many users signed up. */
  public record Result(int users, Map<String, Integer> emailsPerUser, int totalEmails) {
    public boolean exactlyOncePerUser() {
      return emailsPerUser.size() == users && emailsPerUser.values().stream().allMatch(n -> n == 1);
    }
  }

  private final DataSource dataSource;
  private final String schema;
  private final PrintStream out;
  private final CountingMailer mailer = new CountingMailer();

  public WelcomeEmailExample(DataSource dataSource, String schema, PrintStream out) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    String url =
        System.getenv()
            .getOrDefault(
                "KEEL_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    Result r = new WelcomeEmailExample(dataSource(url), "welcome_example", System.out).run(10, 10);
    System.exit(r.exactlyOncePerUser() ? 0 : 1);
  }

  /** A data source for a {@code jdbc:postgresql://} or {@code postgres://} URL. */
  public static DataSource dataSource(String url) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    if (url.startsWith("jdbc:")) {
      ds.setURL(url);
    } else {
      URI u = URI.create(url);
      ds.setServerNames(new String[] {u.getHost()});
      ds.setPortNumbers(new int[] {u.getPort() > 0 ? u.getPort() : 5432});
      ds.setDatabaseName(u.getPath().substring(1));
      if (u.getUserInfo() != null) {
        String[] up = u.getUserInfo().split(":", 2);
        ds.setUser(up[0]);
        if (up.length > 1) {
          ds.setPassword(up[1]);
        }
      }
    }
    return ds;
  }

  /** Signs up {@code before} users, restarts relay and worker, signs up {@code after} more. */
  public Result run(int before, int after) throws Exception {
    Jdbi jdbi = Jdbi.create(dataSource);
    jdbi.useHandle(
        h -> {
          h.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
          h.execute("CREATE SCHEMA \"" + schema + "\"");
          h.execute(
              "CREATE TABLE \"" + schema + "\".users (id bigint PRIMARY KEY, email text NOT NULL)");
        });
    Outbox outbox = Outbox.builder().dataSource(dataSource).schema(schema).build();
    outbox.migrate();
    DeliveryLedger ledger =
        outbox.ledger().inFlightPolicy(InFlightPolicy.RESEND_WITH_SAME_PROVIDER_KEY).build();

    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register(
                JobType.of(
                    "user.welcome",
                    Welcome.class,
                    JobHandler.of(
                        w ->
                            ledger.execute(
                                "welcome:" + w.userId(),
                                w,
                                attempt ->
                                    DeliveryOutcome.of(
                                        mailer.send(w.email(), "Welcome!", attempt.providerKey()),
                                        "accepted")))))
            .build()) {
      KeelQueueSink sink = KeelQueueSink.of(keel.client());

      out.println("1. relay and worker running; " + before + " users sign up");
      OutboxRelay relay = startRelay(outbox, sink);
      Worker worker = startWorker(keel);
      UUID firstMessage = signUp(jdbi, outbox, 1);
      for (long id = 2; id <= before; id++) {
        signUp(jdbi, outbox, id);
      }
      mailer.awaitTotal(before / 2, Duration.ofSeconds(30));

      out.println("2. relay and worker stop mid-way (" + mailer.total() + " emails sent so far)");
      relay.close();
      worker.close();
      for (long id = before + 1; id <= before + after; id++) {
        signUp(jdbi, outbox, id);
      }
      out.println("   " + after + " more users signed up while nothing was running");

      out.println("3. a duplicate job for user 1, as a retrying caller might enqueue it");
      keel.client().enqueue(JobRequest.of("user.welcome", new Welcome(1, email(1))));

      out.println("4. user 1's outbox message is published again, as after a relay crash");
      OutboxRecord m = outbox.find(firstMessage).orElseThrow();
      out.println(
          "   "
              + sink.publish(
                      new RelayedMessage(
                          m.id(),
                          m.seq(),
                          m.tenant(),
                          m.key(),
                          m.type(),
                          m.payload(),
                          m.headers(),
                          m.attempts() + 1,
                          m.createdAt()))
                  .summary());

      out.println("5. relay and worker start again");
      relay = startRelay(outbox, sink);
      worker = startWorker(keel);
      int users = before + after;
      boolean done = mailer.awaitTotal(users, Duration.ofSeconds(60));
      // Give a duplicate the chance to show up if the guarantees were broken.
      keel.drain();
      relay.close();
      worker.close();

      Result result = new Result(users, mailer.perRecipient(), mailer.total());
      out.println(
          "6. "
              + (done ? "all sent" : "TIMED OUT")
              + ": "
              + result.totalEmails()
              + " emails for "
              + users
              + " users; exactly one each: "
              + result.exactlyOncePerUser());
      result.emailsPerUser().forEach((to, n) -> out.println("   " + to + " -> " + n));
      return result;
    }
  }

  private static String email(long id) {
    return "user" + id + "@example.com";
  }

  private UUID signUp(Jdbi jdbi, Outbox outbox, long id) {
    return jdbi.inTransaction(
        h -> {
          h.createUpdate("INSERT INTO \"" + schema + "\".users (id, email) VALUES (:id, :email)")
              .bind("id", id)
              .bind("email", email(id))
              .execute();
          return outbox.record(
              h,
              OutboxMessage.of(
                  "user.welcome",
                  "user-" + id,
                  "{\"userId\":" + id + ",\"email\":\"" + email(id) + "\"}"));
        });
  }

  private static OutboxRelay startRelay(Outbox outbox, KeelQueueSink sink) {
    return outbox.relay(sink).pollInterval(Duration.ofMillis(200)).build().start();
  }

  private static Worker startWorker(Keel keel) {
    return keel.worker().pollInterval(Duration.ofMillis(50)).build().start();
  }
}
