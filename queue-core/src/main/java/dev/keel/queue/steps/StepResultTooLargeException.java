package dev.keel.queue.steps;

/** A step result or signal payload is larger than {@link StepLimits#MAX_RESULT_BYTES}. */
public class StepResultTooLargeException extends InvalidStepException {
  private final long size;

  public StepResultTooLargeException(String field, long size) {
    super(
        field,
        "must be at most " + StepLimits.MAX_RESULT_BYTES + " bytes of UTF-8 JSON, was " + size);
    this.size = size;
  }

  public long size() {
    return size;
  }
}
