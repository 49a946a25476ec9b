package dev.keel.queue.steps;

/** What a step record stands for. */
public enum StepKind {
  /** {@code ctx.step}: a block run once, its result stored. */
  STEP,
  /** {@code ctx.sleep}: a durable pause. */
  SLEEP,
  /** {@code ctx.awaitSignal}: a wait for a signal. */
  SIGNAL,
  /** {@code ctx.children}: child jobs started and waited for. */
  CHILDREN
}
