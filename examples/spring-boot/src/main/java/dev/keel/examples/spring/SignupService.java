package dev.keel.examples.spring;

import dev.keel.queue.JobClient;
import dev.keel.queue.JobRequest;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Signs a user up: the welcome e-mail is enqueued in the same transaction as the user row, so
 * either both exist or neither does. A second signup with the same address fails on the primary key
 * after the enqueue, and the transaction takes the job with it.
 */
@Service
public class SignupService {
  private final JdbcTemplate jdbc;
  private final JobClient jobs;
  private final Schema schema;

  public SignupService(JdbcTemplate jdbc, JobClient jobs, Schema schema) {
    this.jdbc = jdbc;
    this.jobs = jobs;
    this.schema = schema;
  }

  /** The welcome job's id. */
  @Transactional
  public UUID signUp(String email) {
    UUID job = jobs.enqueue(JobRequest.of("welcome-email", new WelcomeEmail(email))).id();
    jdbc.update(
        "INSERT INTO " + schema.table("users") + " (email, welcome_job) VALUES (?, ?)", email, job);
    return job;
  }
}
