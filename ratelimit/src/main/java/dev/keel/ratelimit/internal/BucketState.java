package dev.keel.ratelimit.internal;

/**
 * One bucket, immutable.
 *
 * @param level tokens held, in units of {@code 1 / (refillPeriod in µs)} token
 * @param lastMicros the instant up to which {@code level} includes the refill
 */
public record BucketState(long level, long lastMicros) {}
