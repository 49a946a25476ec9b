package dev.keel.queue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Objects;

/**
 * The error a job's last failed attempt left behind: a message and a stack trace truncated to
 * {@link #MAX_STACK_TRACE_LENGTH} characters.
 */
public record JobError(String message, String stackTrace) {
  public static final int MAX_MESSAGE_LENGTH = 2_000;
  public static final int MAX_STACK_TRACE_LENGTH = 8_000;

  public JobError {
    message = truncate(Objects.requireNonNullElse(message, ""), MAX_MESSAGE_LENGTH);
    stackTrace = truncate(Objects.requireNonNullElse(stackTrace, ""), MAX_STACK_TRACE_LENGTH);
  }

  /** A message with no stack trace (lease expiry, cancellation reasons and the like). */
  public static JobError of(String message) {
    return new JobError(message, "");
  }

  /** The class and message of {@code t}, and its stack trace (with causes), truncated. */
  public static JobError of(Throwable t) {
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    String msg = t.getMessage() == null ? "" : ": " + t.getMessage();
    return new JobError(t.getClass().getName() + msg, trace.toString());
  }

  private static String truncate(String s, int max) {
    // NUL cannot be stored in a PostgreSQL text column; an error text must never be unstorable.
    String clean = s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
    return clean.length() <= max ? clean : clean.substring(0, max - 15) + "...[truncated]";
  }
}
