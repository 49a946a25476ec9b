package dev.keel.queue.spi;

/**
 * What a backend is and can do.
 *
 * @param name {@code inline}, {@code postgres}, {@code redis}, …
 * @param durable data survives a restart of the application
 * @param transactionalEnqueue enqueue can join the caller's transaction
 * @param wakeups {@link QueueBackend#subscribe} delivers signals (otherwise workers only poll)
 * @param maxBatchSize the largest batch an enqueue, claim or finish call accepts
 */
public record BackendCapabilities(
    String name,
    boolean durable,
    boolean transactionalEnqueue,
    boolean wakeups,
    int maxBatchSize) {}
