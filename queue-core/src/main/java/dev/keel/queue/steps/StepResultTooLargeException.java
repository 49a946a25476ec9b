package dev.keel.queue.steps;

/** A step result, job result, signal payload or collected children results is over its limit. */
public class StepResultTooLargeException extends InvalidStepException {
  private final long size;

  public StepResultTooLargeException(String field, long size) {
    this(field, size, StepLimits.MAX_RESULT_BYTES);
  }

  /** Over a limit other than {@link StepLimits#MAX_RESULT_BYTES}. */
  public StepResultTooLargeException(String field, long size, long limit) {
    super(field, "must be at most " + limit + " bytes of UTF-8 JSON, was " + size);
    this.size = size;
  }

  public long size() {
    return size;
  }
}
