package dev.keel.ops;

import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.spi.QueueBackend;

/** The console's API on the in-memory backend. */
class InlineOpsApiTest extends OpsApiContract {
  @Override
  QueueBackend openBackend() {
    return InlineBackend.create();
  }
}
