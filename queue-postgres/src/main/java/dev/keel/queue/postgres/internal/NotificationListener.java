package dev.keel.queue.postgres.internal;

import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.WakeupListener;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@code NOTIFY} signals of the schema's channel to wake-up listeners. One daemon thread
 * holds one dedicated connection in {@code LISTEN}; when the connection is lost (server restart,
 * {@code pg_terminate_backend}, network) it reconnects with capped exponential backoff. Signals
 * sent while it is disconnected are lost; each time LISTEN takes effect, the first time and after a
 * reconnect, listeners are told that signals may have been missed, so they claim once in every
 * queue.
 */
public final class NotificationListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);
  private static final int POLL_MILLIS = 250;

  private final ListenConnection.Opener opener;
  private final String channel;
  private final Failures failures;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final List<WakeupListener> listeners = new CopyOnWriteArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition stopped = lock.newCondition();
  private Thread thread;
  private volatile boolean running;
  private volatile boolean connected;

  public NotificationListener(
      ListenConnection.Opener opener,
      String channel,
      Failures failures,
      Duration initialBackoff,
      Duration maxBackoff) {
    this.opener = opener;
    this.channel = channel;
    this.failures = failures;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
  }

  /** Adds a listener, starting the LISTEN thread on first use. */
  public Subscription subscribe(WakeupListener listener) {
    listeners.add(listener);
    lock.lock();
    try {
      if (thread == null) {
        running = true;
        thread = new Thread(this::run, "keel-pg-listen-" + channel);
        thread.setDaemon(true);
        thread.start();
      }
    } finally {
      lock.unlock();
    }
    return () -> listeners.remove(listener);
  }

  /** True while the LISTEN connection is established (for health and tests). */
  public boolean isConnected() {
    return connected;
  }

  private void run() {
    Duration backoff = initialBackoff;
    while (running) {
      try {
        listen();
        backoff = initialBackoff;
      } catch (SQLException | RuntimeException e) {
        connected = false;
        if (!running) {
          break;
        }
        LOG.warn(
            "{}; reconnecting in {} ms",
            failures.mask("LISTEN connection on channel " + channel + " lost: " + e.getMessage()),
            backoff.toMillis(),
            e);
        pause(backoff);
        backoff =
            backoff.multipliedBy(2).compareTo(maxBackoff) > 0
                ? maxBackoff
                : backoff.multipliedBy(2);
      }
    }
    connected = false;
  }

  private void listen() throws SQLException {
    ListenConnection lc = opener.open();
    try {
      // Auto-commit first: a LISTEN inside an open transaction takes effect only at its commit.
      lc.connection().setAutoCommit(true);
      try (Statement st = lc.connection().createStatement()) {
        st.execute("LISTEN \"" + channel + "\"");
      }
      PGConnection pg = lc.connection().unwrap(PGConnection.class);
      connected = true;
      // NOTIFYs sent before the LISTEN took effect are lost: those of jobs enqueued while a worker
      // was starting, or during an outage. Listeners claim once in every queue to catch up.
      signalsMayHaveBeenMissed();
      while (running) {
        PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
        if (notifications != null) {
          for (PGNotification n : notifications) {
            dispatch(n.getParameter());
          }
        }
      }
    } finally {
      connected = false;
      try (Statement st = lc.connection().createStatement()) {
        // A pooled connection must not keep listening once it is handed to someone else.
        st.execute("UNLISTEN *");
      } catch (SQLException e) {
        LOG.debug("UNLISTEN failed on a LISTEN connection that is being released", e);
      }
      try {
        lc.release().run();
      } catch (SQLException e) {
        LOG.debug("closing the LISTEN connection failed; it is abandoned", e);
      }
    }
  }

  private void signalsMayHaveBeenMissed() {
    each("to catch up", WakeupListener::signalsMayHaveBeenMissed);
  }

  private void dispatch(String queue) {
    each("for queue " + queue, l -> l.jobsAvailable(queue));
  }

  /** Calls every listener; one that throws is logged and the others still run. */
  private void each(String what, Consumer<WakeupListener> call) {
    for (WakeupListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("wake-up listener {} failed {}; other listeners still run", l, what, e);
      }
    }
  }

  private void pause(Duration d) {
    lock.lock();
    try {
      long nanos = d.toNanos();
      while (running && nanos > 0) {
        nanos = stopped.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      lock.unlock();
    }
  }

  /** Stops the thread and closes its connection; waits a bounded time for it. */
  @Override
  public void close() {
    Thread t;
    lock.lock();
    try {
      running = false;
      stopped.signalAll();
      t = thread;
    } finally {
      lock.unlock();
    }
    listeners.clear();
    if (t != null) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("interrupted while stopping the LISTEN thread of {}", channel, e);
      }
    }
  }
}
