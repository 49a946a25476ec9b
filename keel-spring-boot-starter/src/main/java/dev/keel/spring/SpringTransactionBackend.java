package dev.keel.spring;

import dev.keel.queue.postgres.PostgresBackend;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.EnqueueResponse;
import dev.keel.queue.spi.ForwardingQueueBackend;
import java.sql.Connection;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A {@link PostgresBackend} on the application's DataSource whose enqueue joins the Spring-managed
 * transaction bound to that DataSource, when there is one: the jobs are written on the
 * transaction's connection and committed or rolled back with it. Outside a transaction, and for
 * every other operation (claims, completions, maintenance), it is the plain backend.
 */
final class SpringTransactionBackend extends ForwardingQueueBackend {
  private final PostgresBackend postgres;
  private final DataSource dataSource;

  /** A backend on the application's {@code dataSource}, with Keel's tables in the schema named. */
  static SpringTransactionBackend open(DataSource dataSource, KeelProperties.Postgres properties) {
    PostgresBackend.Builder b = PostgresBackend.builder().dataSource(dataSource);
    KeelFactory.property(
        "keel.postgres.schema", properties.getSchema(), () -> b.schema(properties.getSchema()));
    b.migrateOnStart(properties.isMigrateOnStart());
    return new SpringTransactionBackend(b.build(), dataSource);
  }

  SpringTransactionBackend(PostgresBackend postgres, DataSource dataSource) {
    this.postgres = postgres;
    this.dataSource = dataSource;
  }

  @Override
  protected PostgresBackend delegate() {
    return postgres;
  }

  @Override
  public EnqueueResponse enqueue(EnqueueRequest request) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()
        || TransactionSynchronizationManager.getResource(dataSource) == null) {
      return postgres.enqueue(request);
    }
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      return postgres.enqueue(connection, request);
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }
}
