package dev.keel.queue.internal;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.spi.BackendCapabilities;
import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ChangeResult;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.ClaimResponse;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.EnqueueResponse;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.HeartbeatRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.PingResult;
import dev.keel.queue.spi.ProgressRequest;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.PruneResult;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.RescueRequest;
import dev.keel.queue.spi.RescueResult;
import dev.keel.queue.spi.StatsRequest;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.WakeupListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend of a degraded start: until the real backend opens, every call fails with a clear
 * {@link BackendUnavailableException} (so enqueue is never silently accepted into memory) and a
 * background thread retries opening it with backoff. Once open, calls pass straight through.
 */
final class ReconnectingBackend implements QueueBackend {
  private static final Logger log = LoggerFactory.getLogger(ReconnectingBackend.class);

  private final QueueBackendProvider provider;
  private final BackendSettings settings;
  private final String where;
  private final List<WakeupListener> listeners = new CopyOnWriteArrayList<>();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final Thread reconnector;
  private volatile QueueBackend delegate;
  private volatile RuntimeException lastError;
  private volatile boolean closed;

  ReconnectingBackend(QueueBackendProvider provider, BackendSettings settings, String where, RuntimeException first) {
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
    while (!closed && delegate == null) {
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
          delegate = opened;
          for (WakeupListener l : listeners) {
            // Guarded so that closing the outer subscription silences it even though this inner
            // one was made later.
            subscriptions.add(
                opened.subscribe(
                    q -> {
                      if (listeners.contains(l)) {
                        l.jobsAvailable(q);
                      }
                    }));
          }
        }
        log.info("Backend {} is reachable again after {} attempts; leaving degraded mode", where, backoff.failures());
      } catch (RuntimeException unmasked) {
        RuntimeException e = UrlMasker.masked(unmasked);
        lastError = e;
        log.warn("Backend {} still unreachable (attempt {}); next try in about {}", where, backoff.failures(), wait.multipliedBy(2), e);
      }
    }
  }

  private <T> T call(Function<QueueBackend, T> op) {
    QueueBackend d = delegate;
    if (d == null) {
      throw new BackendUnavailableException(
          "backend " + where + " is not reachable (degraded start, reconnecting in the background); last error: "
              + UrlMasker.mask(String.valueOf(lastError.getMessage())),
          lastError);
    }
    return op.apply(d);
  }

  @Override
  public BackendCapabilities capabilities() {
    QueueBackend d = delegate;
    return d != null ? d.capabilities() : new BackendCapabilities(provider.name(), true, false, false, 1);
  }

  @Override
  public EnqueueResponse enqueue(EnqueueRequest request) {
    return call(b -> b.enqueue(request));
  }

  @Override
  public ClaimResponse claim(ClaimRequest request) {
    return call(b -> b.claim(request));
  }

  @Override
  public FencedResult heartbeat(HeartbeatRequest request) {
    return call(b -> b.heartbeat(request));
  }

  @Override
  public FencedResult finish(FinishRequest request) {
    return call(b -> b.finish(request));
  }

  @Override
  public FencedResult progress(ProgressRequest request) {
    return call(b -> b.progress(request));
  }

  @Override
  public ChangeResult cancel(CancelRequest request) {
    return call(b -> b.cancel(request));
  }

  @Override
  public ChangeResult redrive(RedriveRequest request) {
    return call(b -> b.redrive(request));
  }

  @Override
  public Optional<Job> find(JobRef job) {
    return call(b -> b.find(job));
  }

  @Override
  public JobPage list(JobQuery query) {
    return call(b -> b.list(query));
  }

  @Override
  public BackendStats stats(StatsRequest request) {
    return call(b -> b.stats(request));
  }

  @Override
  public RescueResult rescue(RescueRequest request) {
    return call(b -> b.rescue(request));
  }

  @Override
  public PruneResult prune(PruneRequest request) {
    return call(b -> b.prune(request));
  }

  @Override
  public boolean lockMaintenance(MaintenanceLockRequest request) {
    return call(b -> b.lockMaintenance(request));
  }

  @Override
  public void unlockMaintenance(String owner) {
    call(
        b -> {
          b.unlockMaintenance(owner);
          return null;
        });
  }

  @Override
  public synchronized Subscription subscribe(WakeupListener listener) {
    listeners.add(listener);
    QueueBackend d = delegate;
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
  public PingResult ping() {
    return call(QueueBackend::ping);
  }

  @Override
  public synchronized void close() {
    closed = true;
    reconnector.interrupt();
    subscriptions.forEach(Subscription::close);
    QueueBackend d = delegate;
    if (d != null) {
      d.close();
    }
  }
}
