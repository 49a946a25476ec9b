package dev.keel.outbox.internal;

import dev.keel.queue.postgres.internal.SchemaName;

/**
 * The LISTEN/NOTIFY channel announcing new outbox messages of a schema; distinct from the queue's
 * channel of the same schema so relays and workers wake only for their own rows.
 */
final class OutboxChannel {
  private OutboxChannel() {}

  /** The channel name (at most 60 characters, as schema names are at most 48). */
  static String of(SchemaName schema) {
    return "keel_outbox_" + schema.value();
  }
}
