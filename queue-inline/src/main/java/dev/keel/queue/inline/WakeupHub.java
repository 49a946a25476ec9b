package dev.keel.queue.inline;

import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.WakeupListener;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wake-up listeners, called on the thread that made jobs claimable, after its change is visible. A
 * failing listener is logged and skipped: wake-ups are best effort and workers also poll, so a
 * broken listener must not fail the enqueue that triggered it.
 */
final class WakeupHub {
  private static final Logger log = LoggerFactory.getLogger(WakeupHub.class);

  private final List<Registration> registrations = new CopyOnWriteArrayList<>();

  Subscription subscribe(WakeupListener listener) {
    Registration registration = new Registration(listener);
    registrations.add(registration);
    return registration;
  }

  void signal(Collection<String> queues) {
    if (queues.isEmpty() || registrations.isEmpty()) {
      return;
    }
    for (String queue : queues) {
      for (Registration registration : registrations) {
        registration.call(queue);
      }
    }
  }

  void closeAll() {
    registrations.forEach(Registration::close);
  }

  private final class Registration implements Subscription {
    private final WakeupListener listener;
    private final AtomicBoolean closed = new AtomicBoolean();

    Registration(WakeupListener listener) {
      this.listener = listener;
    }

    void call(String queue) {
      if (closed.get()) {
        return;
      }
      try {
        listener.jobsAvailable(queue);
      } catch (RuntimeException e) {
        log.warn(
            "Wake-up listener {} failed for queue '{}'; workers will still find the jobs by polling",
            listener,
            queue,
            e);
      }
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        registrations.remove(this);
      }
    }
  }
}
