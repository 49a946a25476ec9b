package dev.keel.outbox;

import dev.keel.outbox.internal.Database;
import dev.keel.outbox.internal.NotificationListener;
import dev.keel.outbox.internal.RelayConfig;
import dev.keel.outbox.internal.RelayCounters;
import dev.keel.outbox.internal.RelayCycle;
import dev.keel.outbox.internal.RelayStore;
import dev.keel.outbox.internal.Wakeup;
import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.ExponentialBackoff;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.KeelException;
import dev.keel.queue.RetryPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes committed outbox messages to a sink: claims batches with {@code FOR UPDATE SKIP LOCKED}
 * under a lease (expiry on the database clock), publishes, and marks each message DELIVERED fenced
 * by the claim's token, so any number of relays can run against one schema.
 *
 * <ul>
 *   <li>At least once, in order per (tenant, key): a message is claimable only when no earlier
 *       message of its key is undelivered, so a failing message holds back only its own key.
 *   <li>Failures are retried with the retry policy's backoff (stored as the next attempt time on
 *       the database clock), then parked as FAILED with the last error until {@link Outbox#redrive}
 *       is called.
 *   <li>Wakes on LISTEN/NOTIFY (sent at commit by {@link Outbox#record}), polls as a safety net,
 *       and deletes delivered messages past the retention in bounded batches.
 * </ul>
 *
 * <p>{@link #start()} and {@link #close()} are idempotent. Close stops claiming, lets the current
 * batch finish within the shutdown grace, gives back claimed messages it never published (no
 * attempt used), then interrupts whatever still runs; it returns within about twice the grace.
 */
public final class OutboxRelay implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private enum State {
    NEW,
    RUNNING,
    STOPPED
  }

  private final Database db;
  private final RelayConfig config;
  private final RelayStore store;
  private final RelayCounters counters = new RelayCounters();
  private final Wakeup wakeup = new Wakeup();
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final ExecutorService publisher;
  private final RelayCycle cycle;
  private volatile boolean stopping;
  private Thread loopThread;
  private Thread listenerThread;
  private NotificationListener listener;

  private OutboxRelay(Database db, RelayStore store, OutboxSink sink, RelayConfig config) {
    this.db = db;
    this.config = config;
    this.store = store;
    this.publisher =
        config.publishConcurrency() > 1
            ? Executors.newFixedThreadPool(
                config.publishConcurrency(), daemon("keel-outbox-publish-" + config.id()))
            : null;
    this.cycle = new RelayCycle(store, sink, config, publisher, () -> stopping, counters);
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    return r -> {
      Thread t = new Thread(r, prefix + "-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Starts the relay (and its listener) threads. Again: nothing; after close: an error. */
  public OutboxRelay start() {
    if (state.compareAndSet(State.NEW, State.RUNNING)) {
      LOG.info("outbox relay starting on schema {}: {}", db.schema().value(), config.describe());
      if (config.listen()) {
        listener =
            new NotificationListener(db, wakeup, Duration.ofMillis(Math.min(500, pollMillis())));
        listenerThread = daemon("keel-outbox-listen-" + config.id()).newThread(listener);
        listenerThread.start();
      }
      loopThread = daemon("keel-outbox-relay-" + config.id()).newThread(this::loop);
      loopThread.start();
    } else if (state.get() == State.STOPPED) {
      throw new IllegalStateException("relay " + config.id() + " was closed; build a new one");
    }
    return this;
  }

  private long pollMillis() {
    return Math.max(1, config.pollInterval().toMillis());
  }

  /**
   * Claims and publishes one batch in the calling thread, whether or not the relay was started: for
   * tests and for callers that schedule relaying themselves.
   *
   * @return the number of messages claimed (0: nothing was due)
   */
  public int runOnce() {
    return cycle.runOnce();
  }

  /**
   * Deletes delivered messages older than the retention, in batches of {@code cleanupBatchSize}, at
   * most {@code cleanupMaxBatches} batches per call.
   *
   * @return the number of messages deleted
   */
  public int cleanupOnce() {
    int total = 0;
    for (int i = 0; i < config.cleanupMaxBatches(); i++) {
      int deleted = store.deleteDelivered(config.retention().toMillis(), config.cleanupBatchSize());
      total += deleted;
      if (deleted < config.cleanupBatchSize()) {
        break;
      }
    }
    counters.cleaned.addAndGet(total);
    return total;
  }

  public String id() {
    return config.id();
  }

  public boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  public RelayStats stats() {
    return counters.snapshot();
  }

  private void loop() {
    long nextCleanup = System.nanoTime() + config.cleanupInterval().toNanos();
    Duration errorPause = Duration.ofMillis(Math.min(1_000, pollMillis()));
    while (!stopping) {
      int claimed = 0;
      try {
        claimed = cycle.runOnce();
        if (System.nanoTime() - nextCleanup >= 0) {
          nextCleanup = System.nanoTime() + config.cleanupInterval().toNanos();
          cleanupOnce();
        }
      } catch (BackendUnavailableException e) {
        LOG.warn("outbox relay {} cannot reach the database; retrying", config.id(), e);
        if (!pause(errorPause)) {
          return;
        }
        continue;
      } catch (RuntimeException e) {
        LOG.error("outbox relay {} failed a round unexpectedly; continuing", config.id(), e);
        if (!pause(errorPause)) {
          return;
        }
        continue;
      }
      if (claimed > 0) {
        // More may be claimable right away: a full batch, or the next messages of the keys just
        // delivered.
        continue;
      }
      if (Thread.currentThread().isInterrupted() || !pause(config.pollInterval())) {
        return;
      }
    }
  }

  /** Waits for a wake-up or the timeout; false if interrupted (the relay is being stopped). */
  private boolean pause(Duration d) {
    try {
      wakeup.await(d);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Wakes the relay now, as a notification would. */
  public void wake() {
    wakeup.signal();
  }

  /** Graceful, bounded stop (see the class comment). Idempotent. */
  @Override
  public void close() {
    State previous = state.getAndSet(State.STOPPED);
    stopping = true;
    if (previous != State.RUNNING) {
      shutdownPublisher();
      return;
    }
    wakeup.signal();
    if (listener != null) {
      listener.stop();
    }
    long graceMillis = Math.max(1, config.shutdownGrace().toMillis());
    try {
      loopThread.join(graceMillis);
      if (loopThread.isAlive()) {
        LOG.warn(
            "outbox relay {} still publishing after {}; interrupting the sink",
            config.id(),
            config.shutdownGrace());
        loopThread.interrupt();
        if (publisher != null) {
          publisher.shutdownNow();
        }
        loopThread.join(graceMillis);
        if (loopThread.isAlive()) {
          LOG.error(
              "outbox relay {} did not stop: its sink ignores interrupts; its claimed messages"
                  + " will be re-claimed by another relay when their lease expires",
              config.id());
        }
      }
      if (listenerThread != null) {
        listenerThread.join(graceMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeelException("interrupted while stopping outbox relay " + config.id(), e);
    } finally {
      shutdownPublisher();
    }
    LOG.info("outbox relay {} stopped: {}", config.id(), counters.snapshot());
  }

  private void shutdownPublisher() {
    if (publisher != null) {
      publisher.shutdownNow();
    }
  }

  /**
   * Configures a relay; obtain one from {@link Outbox#relay(OutboxSink)}. Each option may be set
   * once; a second setting or an out-of-range value is a {@link KeelConfigurationException}.
   *
   * <p>Defaults: batch 100, lease 30 s, 10 attempts, backoff 1 s × 2ⁿ capped at 5 min with ±20 %
   * jitter, poll every 1 s, LISTEN on, retention 7 days, cleanup every minute in batches of 1000
   * (at most 10 per run), one publishing thread, shutdown grace 10 s.
   */
  public static final class Builder {
    private final Database db;
    private final RelayStore store;
    private final OutboxSink sink;
    private String id;
    private Integer batchSize;
    private Duration leaseDuration;
    private Integer maxAttempts;
    private RetryPolicy retryPolicy;
    private Duration pollInterval;
    private Boolean listen;
    private Duration retention;
    private Duration cleanupInterval;
    private Integer cleanupBatchSize;
    private Integer cleanupMaxBatches;
    private Integer publishConcurrency;
    private Duration shutdownGrace;

    Builder(Database db, RelayStore store, OutboxSink sink) {
      this.db = db;
      this.store = store;
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    private static void once(Object current, String name) {
      if (current != null) {
        throw new KeelConfigurationException("relay." + name + " was already set to " + current);
      }
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new KeelConfigurationException("relay." + name + " must be positive, was " + d);
      }
      return d;
    }

    private static int range(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new KeelConfigurationException(
            "relay." + name + " must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }

    /** The lease owner name stored on claimed rows (default: host-pid-random). */
    public Builder id(String id) {
      once(this.id, "id");
      if (id == null || id.isBlank() || id.length() > 200) {
        throw new KeelConfigurationException("relay.id must be 1 to 200 non-blank characters");
      }
      this.id = id;
      return this;
    }

    /** Messages claimed per round (1–1000). */
    public Builder batchSize(int batchSize) {
      once(this.batchSize, "batchSize");
      this.batchSize = range("batchSize", batchSize, 1, 1_000);
      return this;
    }

    /**
     * How long a claim is held before another relay may take the message over. Must exceed the
     * sink's longest publish, or a slow publish may be repeated concurrently.
     */
    public Builder leaseDuration(Duration lease) {
      once(this.leaseDuration, "leaseDuration");
      this.leaseDuration = positive("leaseDuration", lease);
      return this;
    }

    /** Publish attempts before a message is parked as FAILED (1–1000). */
    public Builder maxAttempts(int maxAttempts) {
      once(this.maxAttempts, "maxAttempts");
      this.maxAttempts = range("maxAttempts", maxAttempts, 1, 1_000);
      return this;
    }

    /** The delay before a failed message is tried again. */
    public Builder retryPolicy(RetryPolicy policy) {
      once(this.retryPolicy, "retryPolicy");
      this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
      return this;
    }

    /** The safety-net poll when no notification arrives; also the retry granularity. */
    public Builder pollInterval(Duration interval) {
      once(this.pollInterval, "pollInterval");
      this.pollInterval = positive("pollInterval", interval);
      return this;
    }

    /** Whether to LISTEN for commit notifications (default true); off means polling only. */
    public Builder listen(boolean listen) {
      once(this.listen, "listen");
      this.listen = listen;
      return this;
    }

    /** How long delivered messages are kept before cleanup deletes them (zero or more). */
    public Builder retention(Duration retention) {
      once(this.retention, "retention");
      if (retention == null || retention.isNegative()) {
        throw new KeelConfigurationException(
            "relay.retention must be zero or positive, was " + retention);
      }
      this.retention = retention;
      return this;
    }

    public Builder cleanupInterval(Duration interval) {
      once(this.cleanupInterval, "cleanupInterval");
      this.cleanupInterval = positive("cleanupInterval", interval);
      return this;
    }

    /** Rows deleted per cleanup statement (1–100000). */
    public Builder cleanupBatchSize(int size) {
      once(this.cleanupBatchSize, "cleanupBatchSize");
      this.cleanupBatchSize = range("cleanupBatchSize", size, 1, 100_000);
      return this;
    }

    /** Cleanup statements per cleanup run (1–1000). */
    public Builder cleanupMaxBatches(int batches) {
      once(this.cleanupMaxBatches, "cleanupMaxBatches");
      this.cleanupMaxBatches = range("cleanupMaxBatches", batches, 1, 1_000);
      return this;
    }

    /**
     * Threads publishing one batch in parallel (1–256). Safe for ordering: a batch holds at most
     * one message per key.
     */
    public Builder publishConcurrency(int threads) {
      once(this.publishConcurrency, "publishConcurrency");
      this.publishConcurrency = range("publishConcurrency", threads, 1, 256);
      return this;
    }

    public Builder shutdownGrace(Duration grace) {
      once(this.shutdownGrace, "shutdownGrace");
      this.shutdownGrace = positive("shutdownGrace", grace);
      return this;
    }

    /** A relay with these settings, not started. */
    public OutboxRelay build() {
      RelayConfig config =
          new RelayConfig(
              id != null ? id : defaultId(),
              batchSize != null ? batchSize : 100,
              leaseDuration != null ? leaseDuration : Duration.ofSeconds(30),
              maxAttempts != null ? maxAttempts : 10,
              retryPolicy != null
                  ? retryPolicy
                  : ExponentialBackoff.of(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.2),
              pollInterval != null ? pollInterval : Duration.ofSeconds(1),
              listen != null ? listen : true,
              retention != null ? retention : Duration.ofDays(7),
              cleanupInterval != null ? cleanupInterval : Duration.ofMinutes(1),
              cleanupBatchSize != null ? cleanupBatchSize : 1_000,
              cleanupMaxBatches != null ? cleanupMaxBatches : 10,
              publishConcurrency != null ? publishConcurrency : 1,
              shutdownGrace != null ? shutdownGrace : Duration.ofSeconds(10));
      return new OutboxRelay(db, store, sink, config);
    }

    private static String defaultId() {
      String host = System.getenv().getOrDefault("HOSTNAME", "host");
      return host
          + "-"
          + ProcessHandle.current().pid()
          + "-"
          + UUID.randomUUID().toString().substring(0, 8);
    }
  }
}
