package dev.keel.outbox.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that LISTENs on the schema's channel and turns every notification (sent by
 * {@code Outbox.record} at commit) into a {@link Wakeup} signal. A broken connection is reopened
 * after a pause; meanwhile the relay keeps polling, so a lost notification only delays a message
 * until the next poll. After each (re)connect it signals once, because notifications sent while it
 * was not listening are gone.
 */
public final class NotificationListener implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);

  private final Database db;
  private final Wakeup wakeup;
  private final Duration checkInterval;
  private final Wakeup stopSignal = new Wakeup();
  private volatile boolean running = true;

  /**
   * @param checkInterval how long one wait for notifications blocks; bounds how long {@link
   *     #stop()} takes to be noticed
   */
  public NotificationListener(Database db, Wakeup wakeup, Duration checkInterval) {
    this.db = db;
    this.wakeup = wakeup;
    this.checkInterval = checkInterval;
  }

  /** Asks the loop to end; it closes its connection within one check interval. */
  public void stop() {
    running = false;
    stopSignal.signal();
  }

  @Override
  public void run() {
    Duration pause = Duration.ofMillis(100);
    while (running) {
      try (Connection c = db.dataSource().getConnection()) {
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN \"" + OutboxChannel.of(db.schema()) + "\"");
        }
        wakeup.signal();
        pause = Duration.ofMillis(100);
        listen(c.unwrap(PGConnection.class));
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          return;
        }
        LOG.warn(
            "outbox LISTEN connection for schema {} failed; relays keep polling, reconnecting in {}",
            db.schema().value(),
            pause,
            e);
        try {
          stopSignal.await(pause);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        pause =
            pause.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
                ? Duration.ofSeconds(30)
                : pause.multipliedBy(2);
      }
    }
  }

  private void listen(PGConnection pg) throws SQLException {
    int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, checkInterval.toMillis()));
    while (running && !Thread.currentThread().isInterrupted()) {
      PGNotification[] notes = pg.getNotifications(timeout);
      if (notes != null && notes.length > 0) {
        wakeup.signal();
      }
    }
  }
}
