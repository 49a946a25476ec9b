package dev.keel.queue.spi;

import java.util.Optional;

/**
 * The alert after the call (empty if no such alert) and whether this call changed it; {@code
 * changed = false} with an alert means its version had moved on (or it was RESOLVED): read it again
 * and decide anew.
 */
public record AlertUpdateResult(Optional<StoredAlert> alert, boolean changed) {}
