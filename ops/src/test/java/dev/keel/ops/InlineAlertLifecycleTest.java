package dev.keel.ops;

import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.QueueBackend;

/** Alerts on the in-memory backend; the "second node" shares the one backend instance. */
class InlineAlertLifecycleTest extends AlertLifecycleContract {
  private InlineBackend shared;

  @Override
  QueueBackend openBackend() {
    shared = InlineBackend.create();
    return shared;
  }

  @Override
  QueueBackend openSharing() {
    return new ForwardingQueueBackend() {
      @Override
      protected QueueBackend delegate() {
        return shared;
      }

      @Override
      public void close() {
        // the first Keel closes the shared backend
      }
    };
  }
}
