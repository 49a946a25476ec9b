package dev.keel.examples.spring;

import jakarta.annotation.PostConstruct;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The application's own tables, in schema {@code signup.schema}, created at start. */
@Component
public class Schema {
  private final JdbcTemplate jdbc;
  private final String name;

  public Schema(JdbcTemplate jdbc, @Value("${signup.schema:signup}") String name) {
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "signup.schema must be a lower-case SQL identifier, was '" + name + "'");
    }
    this.jdbc = jdbc;
    this.name = name;
  }

  @PostConstruct
  void create() {
    jdbc.execute("CREATE SCHEMA IF NOT EXISTS " + name);
    jdbc.execute(
        "CREATE TABLE IF NOT EXISTS "
            + table("users")
            + " (email text PRIMARY KEY, welcome_job uuid NOT NULL)");
    jdbc.execute(
        "CREATE TABLE IF NOT EXISTS "
            + table("sent_emails")
            + " (job_id uuid PRIMARY KEY, email text NOT NULL)");
  }

  /** A qualified table name. */
  public String table(String table) {
    return name + "." + table;
  }

  public String name() {
    return name;
  }
}
