package dev.keel.outbox;

/**
 * Where a relay publishes committed messages: a Keel queue ({@link KeelQueueSink}), an HTTP
 * endpoint ({@link WebhookSink}) or application code (a lambda).
 *
 * <p>Returning normally means the message is delivered; it is marked DELIVERED and not published
 * again (unless the relay lost its lease meanwhile). Throwing anything means it is not: the error
 * is stored on the message and the relay retries it with backoff, then parks it as FAILED.
 *
 * <p>A message may be published more than once (at-least-once delivery), so implementations make
 * the effect idempotent by {@link RelayedMessage#id()}. Publishing must finish well within the
 * relay's lease, or another relay may publish the same message concurrently. A relay calls a sink
 * from one or more threads (see {@link OutboxRelay.Builder#publishConcurrency}), never with two
 * messages of the same key at once.
 */
@FunctionalInterface
public interface OutboxSink {

  /**
   * Publishes one message.
   *
   * @return what to store as the delivery receipt
   * @throws Exception the message was not delivered; it will be retried
   */
  SinkReceipt publish(RelayedMessage message) throws Exception;
}
