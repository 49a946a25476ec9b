/**
 * OpenTelemetry tracing for Keel: {@link dev.keel.opentelemetry.KeelTracing}, a {@link
 * dev.keel.queue.TracePropagator} that makes a producer span per enqueued job and a consumer span
 * per attempt, linked through the W3C {@code traceparent} stored on the job.
 */
package dev.keel.opentelemetry;
