package dev.keel.examples.spring;

import dev.keel.queue.JobContext;
import dev.keel.spring.KeelJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The welcome e-mail handler. It "sends" by recording the e-mail in {@code sent_emails}, keyed by
 * the job id, so a retried attempt after a crash does not send twice.
 */
@Component
public class Mailer {
  private static final Logger log = LoggerFactory.getLogger(Mailer.class);
  private final JdbcTemplate jdbc;
  private final Schema schema;

  public Mailer(JdbcTemplate jdbc, Schema schema) {
    this.jdbc = jdbc;
    this.schema = schema;
  }

  @KeelJob("welcome-email")
  public void send(WelcomeEmail mail, JobContext<WelcomeEmail> ctx) {
    int sent =
        jdbc.update(
            "INSERT INTO "
                + schema.table("sent_emails")
                + " (job_id, email) VALUES (?, ?) ON CONFLICT (job_id) DO NOTHING",
            ctx.id(),
            mail.email());
    log.info(
        "welcome e-mail to {} (attempt {}): {}",
        mail.email(),
        ctx.attempt(),
        sent == 1 ? "sent" : "already sent");
  }
}
