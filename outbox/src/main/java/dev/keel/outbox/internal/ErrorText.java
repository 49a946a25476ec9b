package dev.keel.outbox.internal;

/** A failure as stored text: class, message and the first frames, bounded in length. */
public final class ErrorText {
  /** Longest error text stored. */
  public static final int MAX_LENGTH = 4_000;

  private static final int MAX_FRAMES = 8;

  private ErrorText() {}

  public static String of(Throwable t) {
    StringBuilder b = new StringBuilder();
    Throwable cur = t;
    int depth = 0;
    while (cur != null && depth < 4) {
      if (depth > 0) {
        b.append("\nCaused by: ");
      }
      b.append(cur.getClass().getName());
      if (cur.getMessage() != null) {
        b.append(": ").append(cur.getMessage());
      }
      StackTraceElement[] frames = cur.getStackTrace();
      for (int i = 0; i < Math.min(MAX_FRAMES, frames.length); i++) {
        b.append("\n\tat ").append(frames[i]);
      }
      cur = cur.getCause() == cur ? null : cur.getCause();
      depth++;
    }
    return truncate(b.toString(), MAX_LENGTH);
  }

  public static String truncate(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    return s.substring(0, max - 1) + "…";
  }
}
