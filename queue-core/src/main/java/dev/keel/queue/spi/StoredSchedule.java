package dev.keel.queue.spi;

import dev.keel.queue.JobState;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A recurring schedule as a backend stores it. Backends treat {@code spec} and {@code trigger} as
 * opaque text written by core (canonical JSON); they compare them only for equality.
 *
 * @param name unique name of the schedule within the backend's namespace or schema
 * @param spec everything core needs to fire it (trigger, job template, policies)
 * @param trigger the part of {@code spec} that decides fire times; an upsert keeps {@code
 *     nextFireAt} when only the rest of the spec changed
 * @param version starts at 1 and grows by one each time an upsert changes {@code spec}; a fire
 *     names the version it was planned from, so a fire planned from an old spec is refused
 * @param paused a paused schedule is never due
 * @param nextFireAt the earliest regular fire time not yet fired (or skipped)
 * @param lastFireAt the latest fire time that created a job, or null
 * @param lastJobId the job created for {@code lastFireAt}, or null
 * @param lastJobTenant that job's tenant, or null
 * @param lastJobState that job's state now, or null if there is none or it was pruned
 * @param updatedAt backend time of the last change by an upsert, pause or resume
 */
public record StoredSchedule(
    String name,
    String spec,
    String trigger,
    long version,
    boolean paused,
    Instant nextFireAt,
    Instant lastFireAt,
    UUID lastJobId,
    String lastJobTenant,
    JobState lastJobState,
    Instant updatedAt) {

  public StoredSchedule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(nextFireAt, "nextFireAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }
}
