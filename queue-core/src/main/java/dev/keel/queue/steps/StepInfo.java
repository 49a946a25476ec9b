package dev.keel.queue.steps;

import java.time.Instant;

/**
 * One step of a job as {@code client.steps} reports it.
 *
 * @param name the step's name
 * @param kind step, sleep, signal wait or children
 * @param state its state
 * @param resultSummary the stored result's JSON, cut to 200 characters; null while there is none
 * @param attempt the job attempt that last ran it
 * @param startedAt when it last started (node clock)
 * @param finishedAt when it completed, failed or timed out; null while in progress
 * @param error the last error of the block or of the compensation; null if none
 * @param compensable it declared a compensation
 * @param compensationAttempts how often its compensation ran
 * @param until when a sleep or signal wait ends; null otherwise
 */
public record StepInfo(
    String name,
    StepKind kind,
    StepState state,
    String resultSummary,
    int attempt,
    Instant startedAt,
    Instant finishedAt,
    String error,
    boolean compensable,
    int compensationAttempts,
    Instant until) {}
