package dev.keel.queue.spi;

/** How many jobs were deleted. */
public record PruneResult(long deleted) {}
