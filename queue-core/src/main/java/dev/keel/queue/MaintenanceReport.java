package dev.keel.queue;

/**
 * What one maintenance run did.
 *
 * @param lockHeld false if another node holds the maintenance lock (then nothing was done)
 * @param rescued expired leases made PENDING again
 * @param failedOnRescue expired leases with no attempt left, made FAILED
 * @param pruned finished jobs deleted past retention
 */
public record MaintenanceReport(boolean lockHeld, int rescued, int failedOnRescue, long pruned) {}
