package dev.keel.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.WakeupListener;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Wake-up listeners of a backend that was unreachable at start (degraded mode). */
class ReconnectingBackendTest {

  /** A backend that only takes subscriptions; every other call fails. */
  private static final class ListeningOnly extends ForwardingQueueBackend {
    final AtomicReference<WakeupListener> listener = new AtomicReference<>();

    @Override
    protected QueueBackend delegate() {
      throw new UnsupportedOperationException("only subscribe is used in this test");
    }

    @Override
    public Subscription subscribe(WakeupListener l) {
      listener.set(l);
      return () -> listener.set(null);
    }

    @Override
    public void close() {}
  }

  private static final class Provider implements QueueBackendProvider {
    final AtomicBoolean up = new AtomicBoolean();
    final ListeningOnly backend = new ListeningOnly();

    @Override
    public String name() {
      return "test";
    }

    @Override
    public List<String> urlVariables() {
      return List.of("TEST_URL");
    }

    @Override
    public QueueBackend open(BackendSettings settings) {
      if (!up.get()) {
        throw new BackendUnavailableException("down");
      }
      return backend;
    }
  }

  @Test
  void listenersCatchUpOnceReachableAndGetBothKindsOfCallUntilUnsubscribed() {
    Provider provider = new Provider();
    ReconnectingBackend backend =
        new ReconnectingBackend(
            provider,
            new BackendSettings("test://", InstantSource.system(), Map.of()),
            "test://",
            new BackendUnavailableException("down"));
    List<String> queues = new CopyOnWriteArrayList<>();
    AtomicInteger catchUps = new AtomicInteger();
    WakeupListener listener =
        new WakeupListener() {
          @Override
          public void jobsAvailable(String queue) {
            queues.add(queue);
          }

          @Override
          public void signalsMayHaveBeenMissed() {
            catchUps.incrementAndGet();
          }
        };
    try {
      Subscription subscription = backend.subscribe(listener);
      provider.up.set(true);
      await().atMost(Duration.ofSeconds(10)).until(() -> catchUps.get() == 1);
      WakeupListener inner = provider.backend.listener.get();
      assertThat(inner).isNotNull();

      inner.jobsAvailable("q");
      inner.signalsMayHaveBeenMissed();
      assertThat(queues).containsExactly("q");
      assertThat(catchUps).hasValue(2);

      subscription.close();
      inner.jobsAvailable("after-close");
      inner.signalsMayHaveBeenMissed();
      assertThat(queues).containsExactly("q");
      assertThat(catchUps).hasValue(2);
    } finally {
      backend.close();
    }
  }
}
