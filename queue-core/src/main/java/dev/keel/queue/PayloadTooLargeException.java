package dev.keel.queue;

/** A payload's JSON is larger than the configured limit. Nothing was written. */
public class PayloadTooLargeException extends InvalidJobException {
  private final long size;
  private final long limit;

  public PayloadTooLargeException(String field, long size, long limit) {
    super(field, "must be at most " + limit + " bytes of UTF-8 JSON, was " + size);
    this.size = size;
    this.limit = limit;
  }

  public long size() {
    return size;
  }

  public long limit() {
    return limit;
  }

  @Override
  public InvalidJobException within(String prefix) {
    return new PayloadTooLargeException(prefix + "." + field(), size, limit);
  }
}
