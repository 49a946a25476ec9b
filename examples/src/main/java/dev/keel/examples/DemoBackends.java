package dev.keel.examples;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Prepares the environment the demo hands to {@code Keel.builder().fromEnvironment(...)}: the
 * backend named on the command line, and for {@code postgres} without a URL an embedded PostgreSQL
 * started from a Maven dependency, so the demo runs on a machine with no server.
 */
final class DemoBackends implements AutoCloseable {
  private final Map<String, String> env;
  private final EmbeddedPostgres embedded;

  private DemoBackends(Map<String, String> env, EmbeddedPostgres embedded) {
    this.env = env;
    this.embedded = embedded;
  }

  static DemoBackends prepare(Map<String, String> env, PrintStream out) {
    String backend = env.getOrDefault("KEEL_BACKEND", "").trim().toLowerCase(java.util.Locale.ROOT);
    if (backend.isEmpty()) {
      // Chosen explicitly, so Keel does not warn about a missing choice: the demo picks memory.
      env.put("KEEL_BACKEND", "inline");
      return new DemoBackends(env, null);
    }
    if (backend.equals("postgres")
        && blank(env, "KEEL_DATABASE_URL")
        && blank(env, "DATABASE_URL")) {
      out.println(
          "No KEEL_DATABASE_URL or DATABASE_URL set: starting an embedded PostgreSQL for the demo...");
      try {
        EmbeddedPostgres pg = EmbeddedPostgres.start();
        env.put("KEEL_DATABASE_URL", pg.getJdbcUrl("postgres", "postgres"));
        return new DemoBackends(env, pg);
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
      }
    }
    if ((backend.equals("redis") || backend.equals("rq"))
        && blank(env, "KEEL_REDIS_URL")
        && blank(env, "REDIS_URL")) {
      out.println("No KEEL_REDIS_URL or REDIS_URL set: using redis://127.0.0.1:6379");
      env.put("KEEL_REDIS_URL", "redis://127.0.0.1:6379");
    }
    return new DemoBackends(env, null);
  }

  Map<String, String> environment() {
    return env;
  }

  private static boolean blank(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank();
  }

  @Override
  public void close() throws IOException {
    if (embedded != null) {
      embedded.close();
    }
  }
}
