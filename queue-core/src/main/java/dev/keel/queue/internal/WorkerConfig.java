package dev.keel.queue.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/** A worker's sealed configuration; see {@code Worker.Builder} for meanings and defaults. */
public record WorkerConfig(
    String id,
    Map<String, Integer> queues,
    int prefetch,
    Set<String> includeTypes,
    Set<String> excludeTypes,
    String tenant,
    Duration leaseDuration,
    Duration heartbeatInterval,
    Duration pollInterval,
    Duration shutdownGrace,
    boolean virtualThreads,
    ExecutorService executor,
    boolean maintenance,
    Duration maintenanceInterval,
    Map<String, Integer> typeConcurrency,
    Map<String, Integer> typeQuota,
    Map<String, Integer> priorityClass,
    boolean schedules) {}
