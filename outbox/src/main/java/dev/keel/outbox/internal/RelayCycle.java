package dev.keel.outbox.internal;

import dev.keel.outbox.OutboxSink;
import dev.keel.outbox.OutboxState;
import dev.keel.outbox.SinkReceipt;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of a relay: claim a batch, publish each message to the sink, store the outcomes (fenced
 * by each claim's token). A batch never holds two messages of one key (the claim takes only the
 * first undelivered message of each key), so its messages may be published in parallel.
 */
public final class RelayCycle {
  private static final Logger LOG = LoggerFactory.getLogger(RelayCycle.class);

  private final RelayStore store;
  private final OutboxSink sink;
  private final RelayConfig config;
  private final ExecutorService publisher;
  private final BooleanSupplier stopping;
  private final RelayCounters counters;

  /**
   * @param publisher runs publishes in parallel; null to publish in the calling thread
   * @param stopping true once the relay is closing: messages not yet handed to the sink are
   *     released instead
   */
  public RelayCycle(
      RelayStore store,
      OutboxSink sink,
      RelayConfig config,
      ExecutorService publisher,
      BooleanSupplier stopping,
      RelayCounters counters) {
    this.store = store;
    this.sink = sink;
    this.config = config;
    this.publisher = publisher;
    this.stopping = stopping;
    this.counters = counters;
  }

  private sealed interface Outcome {
    ClaimedMessage claimed();
  }

  private record Published(ClaimedMessage claimed, SinkReceipt receipt) implements Outcome {}

  private record Failed(ClaimedMessage claimed, Throwable error) implements Outcome {}

  private record Unstarted(ClaimedMessage claimed) implements Outcome {}

  /** Claims and publishes one batch; the number of messages claimed. */
  public int runOnce() {
    List<ClaimedMessage> batch =
        store.claim(config.id(), config.leaseDuration().toMillis(), config.batchSize());
    if (batch.isEmpty()) {
      return 0;
    }
    counters.claimed.addAndGet(batch.size());
    List<Outcome> outcomes = publisher == null ? publishInline(batch) : publishParallel(batch);
    // Interrupted while publishing (a bounded close): the outcomes still have to be stored, and
    // the connection pool refuses an interrupted thread, so the flag is restored afterwards.
    boolean interrupted = Thread.interrupted();
    try {
      settle(outcomes);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return batch.size();
  }

  private List<Outcome> publishInline(List<ClaimedMessage> batch) {
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    for (ClaimedMessage m : batch) {
      outcomes.add(
          stopping.getAsBoolean() || Thread.currentThread().isInterrupted()
              ? new Unstarted(m)
              : publish(m));
    }
    return outcomes;
  }

  private List<Outcome> publishParallel(List<ClaimedMessage> batch) {
    List<Future<Outcome>> futures = new ArrayList<>(batch.size());
    for (ClaimedMessage m : batch) {
      futures.add(publisher.submit(() -> stopping.getAsBoolean() ? new Unstarted(m) : publish(m)));
    }
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    boolean interrupted = false;
    for (int i = 0; i < futures.size(); i++) {
      Future<Outcome> f = futures.get(i);
      ClaimedMessage m = batch.get(i);
      if (interrupted) {
        f.cancel(true);
      }
      try {
        outcomes.add(f.get());
      } catch (InterruptedException e) {
        interrupted = true;
        f.cancel(true);
        outcomes.add(new Failed(m, e));
      } catch (CancellationException e) {
        outcomes.add(new Failed(m, e));
      } catch (ExecutionException e) {
        outcomes.add(new Failed(m, e.getCause()));
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return outcomes;
  }

  private Outcome publish(ClaimedMessage m) {
    try {
      SinkReceipt receipt = sink.publish(m.message());
      return new Published(m, receipt == null ? SinkReceipt.ok() : receipt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Failed(m, e);
    } catch (Exception e) {
      return new Failed(m, e);
    }
  }

  private void settle(List<Outcome> outcomes) {
    List<RelayStore.Delivered> delivered = new ArrayList<>();
    List<ClaimedMessage> unstarted = new ArrayList<>();
    for (Outcome o : outcomes) {
      if (o instanceof Published p) {
        delivered.add(
            new RelayStore.Delivered(
                p.claimed().message().id(), p.claimed().token(), p.receipt().summary()));
      } else if (o instanceof Unstarted u) {
        unstarted.add(u.claimed());
      }
    }
    Set<java.util.UUID> marked = store.markDelivered(delivered);
    counters.delivered.addAndGet(marked.size());
    for (RelayStore.Delivered d : delivered) {
      if (!marked.contains(d.id())) {
        counters.leaseLost.incrementAndGet();
        LOG.warn(
            "outbox message {} was published but relay {} had lost its lease (another relay"
                + " re-claimed it after expiry), so its delivery was not recorded by this relay",
            d.id(),
            config.id());
      }
    }
    for (Outcome o : outcomes) {
      if (o instanceof Failed f) {
        fail(f.claimed(), f.error());
      }
    }
    if (!unstarted.isEmpty()) {
      counters.released.addAndGet(store.release(unstarted));
    }
  }

  private void fail(ClaimedMessage m, Throwable error) {
    int attempt = m.message().attempt();
    long delay = config.retryPolicy().delayAfter(attempt).toMillis();
    Optional<OutboxState> state =
        store.markFailed(
            m.message().id(), m.token(), config.maxAttempts(), delay, ErrorText.of(error));
    if (state.isEmpty()) {
      counters.leaseLost.incrementAndGet();
      LOG.warn(
          "outbox message {} failed on relay {} after it lost its lease; the failure was not"
              + " recorded",
          m.message().id(),
          config.id(),
          error);
    } else if (state.get() == OutboxState.FAILED) {
      counters.parked.incrementAndGet();
      LOG.error(
          "outbox message {} (tenant {}, key {}, type {}) parked as FAILED after {} attempts;"
              + " later messages of its key wait until it is re-driven",
          m.message().id(),
          m.message().tenant(),
          m.message().key(),
          m.message().type(),
          attempt,
          error);
    } else {
      counters.retried.incrementAndGet();
      LOG.warn(
          "outbox message {} (type {}) attempt {} failed; retrying in {} ms",
          m.message().id(),
          m.message().type(),
          attempt,
          delay,
          error);
    }
  }
}
