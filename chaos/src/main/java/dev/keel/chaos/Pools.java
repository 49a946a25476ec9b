package dev.keel.chaos;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** The connection pools of the worker processes (ledger, outbox, provider). */
final class Pools {
  private Pools() {}

  /**
   * A pool named {@code chaos-<name>} of at most {@code size} connections. Its creation does not
   * fail if the server is briefly down (the outbox's server is restarted under load); a borrow
   * waits up to 10 s.
   */
  static HikariDataSource hikari(String url, String user, String password, int size, String name) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setPoolName("chaos-" + name);
    config.setConnectionTimeout(10_000);
    config.setInitializationFailTimeout(-1);
    return new HikariDataSource(config);
  }
}
