package dev.keel.queue.internal;

import dev.keel.queue.JobType;
import dev.keel.queue.spi.QueueBackend;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/** The shared pieces a {@code Keel} instance hands to its workers, drain and maintenance. */
public record KeelRuntime(
    QueueBackend backend,
    InstantSource clock,
    Map<String, JobType<?>> types,
    JobExecution execution,
    Listeners listeners,
    ScheduledExecutorService timers,
    MaintenanceRunner maintenance,
    ScheduleService schedules,
    RecurringScheduler scheduler,
    BlockedJobs blocked) {}
