package dev.keel.outbox;

/**
 * What a sink reports about a successful publish, stored on the message as its receipt (for example
 * a job id, or an HTTP status with an excerpt of the body). At most {@link #MAX_LENGTH} characters
 * are kept.
 *
 * @param summary a short description, may be empty
 */
public record SinkReceipt(String summary) {
  /** Longest summary stored; longer ones are cut. */
  public static final int MAX_LENGTH = 2_000;

  private static final SinkReceipt EMPTY = new SinkReceipt("");

  public SinkReceipt {
    summary = summary == null ? "" : summary;
    if (summary.length() > MAX_LENGTH) {
      summary = summary.substring(0, MAX_LENGTH);
    }
  }

  /** A receipt with nothing to say. */
  public static SinkReceipt ok() {
    return EMPTY;
  }

  public static SinkReceipt of(String summary) {
    return new SinkReceipt(summary);
  }
}
