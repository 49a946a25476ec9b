/**
 * Durable steps on {@link dev.keel.queue.JobContext}: checkpointed steps ({@code ctx.step}),
 * durable sleeps ({@code ctx.sleep}), signals ({@code ctx.awaitSignal} and {@code client.signal}),
 * saga compensation, child jobs ({@code ctx.children}) and the query of a job's steps ({@code
 * client.steps}). Step records and signals are stored on the job by the backend and fenced by the
 * job's lease. See {@code docs/steps.md}.
 */
package dev.keel.queue.steps;
