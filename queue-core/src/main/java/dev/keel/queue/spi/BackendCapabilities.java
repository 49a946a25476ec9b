package dev.keel.queue.spi;

/**
 * What a backend is and can do.
 *
 * @param name {@code inline}, {@code postgres}, {@code redis}, …
 * @param durable data survives a restart of the application
 * @param transactionalEnqueue enqueue can join the caller's transaction
 * @param wakeups {@link QueueBackend#subscribe} delivers signals (otherwise workers only poll)
 * @param maxBatchSize the largest batch an enqueue, claim or finish call accepts
 * @param preferredClaimSize the most jobs a worker claims ahead per queue when it sizes its own
 *     prefetch (an explicitly configured prefetch is used as given): claims larger than this gain
 *     the backend no throughput and hold it longer. A Redis script, for one, blocks the whole
 *     server while it runs. Between 1 and {@code maxBatchSize}.
 * @param schedules the backend stores recurring schedules (the {@code QueueBackend} schedule calls
 *     work instead of throwing {@link UnsupportedOperationException})
 * @param opsData the backend stores alerts and backlog samples for the operations console (the
 *     {@code QueueBackend} alert and sample calls work)
 * @param coordination the backend enforces concurrency keys in its claim ({@link
 *     NewJob#concurrencyKey}) and keeps fenced locks (the {@code QueueBackend} lock calls work)
 * @param steps the backend stores durable step records and signals on jobs (the {@code
 *     QueueBackend} step, signal and suspend calls work)
 */
public record BackendCapabilities(
    String name,
    boolean durable,
    boolean transactionalEnqueue,
    boolean wakeups,
    int maxBatchSize,
    int preferredClaimSize,
    boolean schedules,
    boolean opsData,
    boolean coordination,
    boolean steps) {

  public BackendCapabilities {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
    }
    if (preferredClaimSize < 1 || preferredClaimSize > maxBatchSize) {
      throw new IllegalArgumentException(
          "preferredClaimSize must be between 1 and maxBatchSize ("
              + maxBatchSize
              + "), got "
              + preferredClaimSize);
    }
  }

  /** Capabilities of a backend without durable steps. */
  public BackendCapabilities(
      String name,
      boolean durable,
      boolean transactionalEnqueue,
      boolean wakeups,
      int maxBatchSize,
      int preferredClaimSize,
      boolean schedules,
      boolean opsData,
      boolean coordination) {
    this(
        name,
        durable,
        transactionalEnqueue,
        wakeups,
        maxBatchSize,
        preferredClaimSize,
        schedules,
        opsData,
        coordination,
        false);
  }

  /** Capabilities of a backend without coordination. */
  public BackendCapabilities(
      String name,
      boolean durable,
      boolean transactionalEnqueue,
      boolean wakeups,
      int maxBatchSize,
      int preferredClaimSize,
      boolean schedules,
      boolean opsData) {
    this(
        name,
        durable,
        transactionalEnqueue,
        wakeups,
        maxBatchSize,
        preferredClaimSize,
        schedules,
        opsData,
        false);
  }

  /** Capabilities of a backend that does not store operations data. */
  public BackendCapabilities(
      String name,
      boolean durable,
      boolean transactionalEnqueue,
      boolean wakeups,
      int maxBatchSize,
      int preferredClaimSize,
      boolean schedules) {
    this(
        name,
        durable,
        transactionalEnqueue,
        wakeups,
        maxBatchSize,
        preferredClaimSize,
        schedules,
        false);
  }

  /** Capabilities of a backend without recurring schedules. */
  public BackendCapabilities(
      String name,
      boolean durable,
      boolean transactionalEnqueue,
      boolean wakeups,
      int maxBatchSize,
      int preferredClaimSize) {
    this(name, durable, transactionalEnqueue, wakeups, maxBatchSize, preferredClaimSize, false);
  }

  /**
   * Capabilities of a backend with no claim-size preference of its own (claims up to {@code
   * maxBatchSize}) and without recurring schedules.
   */
  public BackendCapabilities(
      String name,
      boolean durable,
      boolean transactionalEnqueue,
      boolean wakeups,
      int maxBatchSize) {
    this(name, durable, transactionalEnqueue, wakeups, maxBatchSize, maxBatchSize, false);
  }

  /** The same capabilities with {@code schedules} set. */
  public BackendCapabilities withSchedules(boolean schedules) {
    return new BackendCapabilities(
        name,
        durable,
        transactionalEnqueue,
        wakeups,
        maxBatchSize,
        preferredClaimSize,
        schedules,
        opsData,
        coordination,
        steps);
  }

  /** The same capabilities with {@code opsData} set. */
  public BackendCapabilities withOpsData(boolean opsData) {
    return new BackendCapabilities(
        name,
        durable,
        transactionalEnqueue,
        wakeups,
        maxBatchSize,
        preferredClaimSize,
        schedules,
        opsData,
        coordination,
        steps);
  }

  /** The same capabilities with {@code coordination} set. */
  public BackendCapabilities withCoordination(boolean coordination) {
    return new BackendCapabilities(
        name,
        durable,
        transactionalEnqueue,
        wakeups,
        maxBatchSize,
        preferredClaimSize,
        schedules,
        opsData,
        coordination,
        steps);
  }

  /** The same capabilities with {@code steps} set. */
  public BackendCapabilities withSteps(boolean steps) {
    return new BackendCapabilities(
        name,
        durable,
        transactionalEnqueue,
        wakeups,
        maxBatchSize,
        preferredClaimSize,
        schedules,
        opsData,
        coordination,
        steps);
  }
}
