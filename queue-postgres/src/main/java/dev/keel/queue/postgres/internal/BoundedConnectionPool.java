package dev.keel.queue.postgres.internal;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * A small bounded connection pool for backends opened from a URL (no pool library is required at
 * runtime). At most {@code maxSize} connections exist; a caller waits up to {@code borrowTimeout}
 * for one. A connection idle for longer than {@link #VALIDATE_AFTER_IDLE_NANOS} is validated before
 * it is handed out, and one that failed with a connection-level error is discarded when returned,
 * so connections killed by the server are replaced instead of failing forever.
 */
public final class BoundedConnectionPool implements DataSource, AutoCloseable {
  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(BoundedConnectionPool.class);

  /** Connections used within this window are assumed alive (the same trade-off HikariCP makes). */
  static final long VALIDATE_AFTER_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final DatabaseUrl url;
  private final Semaphore permits;
  private final Duration borrowTimeout;
  private final Deque<Idle> idle = new ArrayDeque<>();
  private volatile boolean closed;

  private record Idle(Connection connection, long since) {}

  public BoundedConnectionPool(DatabaseUrl url, int maxSize, Duration borrowTimeout) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("pool size must be at least 1, was " + maxSize);
    }
    this.url = url;
    this.permits = new Semaphore(maxSize, true);
    this.borrowTimeout = borrowTimeout;
  }

  /** A new connection outside the pool (for the LISTEN connection, which is held for long). */
  public Connection openUnpooled() throws SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), url.properties());
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (closed) {
      throw new SQLException("connection pool is closed", "08003");
    }
    try {
      if (!permits.tryAcquire(borrowTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new SQLException(
            "no pooled connection became free within " + borrowTimeout.toMillis() + " ms", "08001");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a pooled connection", "08001", e);
    }
    try {
      return wrap(takeIdleOrOpen());
    } catch (SQLException | RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  private Connection takeIdleOrOpen() throws SQLException {
    while (true) {
      Idle candidate;
      synchronized (idle) {
        candidate = idle.pollFirst();
      }
      if (candidate == null) {
        return openUnpooled();
      }
      if (System.nanoTime() - candidate.since() < VALIDATE_AFTER_IDLE_NANOS
          || candidate.connection().isValid(2)) {
        return candidate.connection();
      }
      discard(candidate.connection(), "failed validation");
    }
  }

  private Connection wrap(Connection real) {
    Handler handler = new Handler(real);
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
  }

  private void giveBack(Connection real, boolean broken) {
    try {
      if (broken || closed || real.isClosed()) {
        discard(real, broken ? "a connection-level error" : "closed");
        return;
      }
      if (!real.getAutoCommit()) {
        real.rollback();
        real.setAutoCommit(true);
      }
      synchronized (idle) {
        idle.addFirst(new Idle(real, System.nanoTime()));
      }
    } catch (SQLException e) {
      LOG.debug("discarding a pooled connection that could not be reset", e);
      discard(real, "reset failed");
    } finally {
      permits.release();
    }
  }

  private static void discard(Connection real, String reason) {
    try {
      real.close();
    } catch (SQLException e) {
      LOG.debug("closing a pooled connection discarded after {} failed", reason, e);
    }
  }

  /** Closes idle connections; connections in use are closed when they come back. */
  @Override
  public void close() {
    closed = true;
    synchronized (idle) {
      for (Idle i : idle) {
        discard(i.connection(), "pool close");
      }
      idle.clear();
    }
  }

  /** Connections currently idle in the pool (for tests). */
  public int idleCount() {
    synchronized (idle) {
      return idle.size();
    }
  }

  /** Returns the connection to the pool on close and notes connection-level failures. */
  private final class Handler implements InvocationHandler {
    private final Connection real;
    private boolean returned;
    private boolean broken;

    Handler(Connection real) {
      this.real = real;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (name.equals("close")) {
        if (!returned) {
          returned = true;
          giveBack(real, broken);
        }
        return null;
      }
      if (name.equals("isClosed")) {
        return returned || real.isClosed();
      }
      if (returned) {
        throw new SQLException("connection was returned to the pool", "08003");
      }
      try {
        return method.invoke(real, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof SQLException sql && Failures.isConnectionBroken(sql)) {
          broken = true;
        }
        throw cause;
      }
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the pool's credentials come from its URL");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    throw new UnsupportedOperationException("the pool logs through SLF4J");
  }

  @Override
  public void setLoginTimeout(int seconds) {
    throw new UnsupportedOperationException("set connectTimeout in the URL instead");
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("the pool logs through SLF4J");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper for " + iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
