package dev.keel.queue.internal;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.spi.BackendCapabilities;
import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.WakeupListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend of a degraded start: until the real backend opens, every call fails with a clear
 * {@link BackendUnavailableException} (so enqueue is never silently accepted into memory) and a
 * background thread retries opening it with backoff. Once open, calls pass straight through.
 */
final class ReconnectingBackend extends ForwardingQueueBackend {
  private static final java.util.Set<String> KEEL_BACKENDS =
      java.util.Set.of("inline", "postgres", "redis");

  private static final Logger log = LoggerFactory.getLogger(ReconnectingBackend.class);

  private final QueueBackendProvider provider;
  private final BackendSettings settings;
  private final String where;
  private final List<WakeupListener> listeners = new CopyOnWriteArrayList<>();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final Thread reconnector;
  private volatile QueueBackend opened;
  private volatile RuntimeException lastError;
  private volatile boolean closed;

  ReconnectingBackend(
      QueueBackendProvider provider,
      BackendSettings settings,
      String where,
      RuntimeException first) {
    this.provider = provider;
    this.settings = settings;
    this.where = where;
    this.lastError = first;
    this.reconnector = new Thread(this::reconnect, "keel-reconnect-" + provider.name());
    this.reconnector.setDaemon(true);
    this.reconnector.start();
  }

  private void reconnect() {
    Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    while (!closed && opened == null) {
      Duration wait = backoff.next();
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        QueueBackend opened = provider.open(settings);
        synchronized (this) {
          if (closed) {
            opened.close();
            return;
          }
          this.opened = opened;
          for (WakeupListener l : listeners) {
            subscriptions.add(opened.subscribe(guarded(l)));
          }
        }
        // Jobs enqueued by other nodes while this one could not reach the backend sent signals
        // nobody here heard.
        for (WakeupListener l : listeners) {
          try {
            l.signalsMayHaveBeenMissed();
          } catch (RuntimeException e) {
            log.warn("Wake-up listener {} failed to catch up after reconnecting", l, e);
          }
        }
        log.info(
            "Backend {} is reachable again after {} attempts; leaving degraded mode",
            where,
            backoff.failures());
      } catch (RuntimeException unmasked) {
        RuntimeException e = UrlMasker.masked(unmasked);
        lastError = e;
        log.warn(
            "Backend {} still unreachable (attempt {}); next try in about {}",
            where,
            backoff.failures(),
            wait.multipliedBy(2),
            e);
      }
    }
  }

  /** The open backend, or a clear error while it is not reachable yet. */
  @Override
  protected QueueBackend delegate() {
    QueueBackend d = this.opened;
    if (d == null) {
      throw new BackendUnavailableException(
          "backend "
              + where
              + " is not reachable (degraded start, reconnecting in the background); last error: "
              + UrlMasker.mask(String.valueOf(lastError.getMessage())),
          lastError);
    }
    return d;
  }

  @Override
  public BackendCapabilities capabilities() {
    QueueBackend d = this.opened;
    return d != null
        ? d.capabilities()
        : new BackendCapabilities(
                provider.name(), true, false, false, dev.keel.queue.Limits.MAX_BATCH_SIZE)
            // Not opened yet: Keel's own backends all store schedules; others say so once open.
            .withSchedules(KEEL_BACKENDS.contains(provider.name()))
            .withOpsData(KEEL_BACKENDS.contains(provider.name()))
            .withCoordination(KEEL_BACKENDS.contains(provider.name()))
            .withSteps(KEEL_BACKENDS.contains(provider.name()));
  }

  /**
   * Passes both calls on while {@code l} is subscribed here, so that closing the outer subscription
   * silences the inner one even though it was made later.
   */
  private WakeupListener guarded(WakeupListener l) {
    return new WakeupListener() {
      @Override
      public void jobsAvailable(String queue) {
        if (listeners.contains(l)) {
          l.jobsAvailable(queue);
        }
      }

      @Override
      public void signalsMayHaveBeenMissed() {
        if (listeners.contains(l)) {
          l.signalsMayHaveBeenMissed();
        }
      }
    };
  }

  @Override
  public synchronized Subscription subscribe(WakeupListener listener) {
    listeners.add(listener);
    QueueBackend d = this.opened;
    Subscription inner = d != null ? d.subscribe(listener) : null;
    if (inner != null) {
      subscriptions.add(inner);
    }
    return () -> {
      listeners.remove(listener);
      if (inner != null) {
        inner.close();
      }
    };
  }

  @Override
  public synchronized void close() {
    closed = true;
    reconnector.interrupt();
    subscriptions.forEach(Subscription::close);
    QueueBackend d = this.opened;
    if (d != null) {
      d.close();
    }
  }
}
