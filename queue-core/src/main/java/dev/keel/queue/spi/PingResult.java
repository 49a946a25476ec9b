package dev.keel.queue.spi;

import java.time.Instant;

/** The backend answered; {@code serverTime} is its clock, {@code detail} e.g. a server version. */
public record PingResult(Instant serverTime, String detail) {}
