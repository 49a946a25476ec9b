package dev.keel.queue.recurring;

import java.time.Instant;

/**
 * What one pass over the due schedules did.
 *
 * @param backendNow the backend's clock when the due schedules were read
 * @param due schedules found due
 * @param jobsEnqueued jobs created by fires (several per schedule when missed fire times fire)
 * @param skippedOverlap fires skipped because the previous job was still active ({@code SKIP})
 * @param waitingOverlap fires held back because the previous job is still active ({@code WAIT})
 * @param stale fires another node made first, or that a concurrent change made obsolete
 * @param unreadable due schedules whose stored spec this Keel cannot read (logged)
 * @param nextFireAt the earliest fire time still to come, or null if no schedule will fire
 * @param moreDue more schedules are due right away (the pass stopped at its batch size)
 */
public record FireReport(
    Instant backendNow,
    int due,
    int jobsEnqueued,
    int skippedOverlap,
    int waitingOverlap,
    int stale,
    int unreadable,
    Instant nextFireAt,
    boolean moreDue) {}
