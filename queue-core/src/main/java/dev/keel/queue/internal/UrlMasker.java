package dev.keel.queue.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in URLs and in messages that contain them: the password in {@code
 * scheme://user:password@host}, and the values of query parameters such as {@code password}, {@code
 * token}, {@code secret}, {@code key}. Every log line and error message that names a backend URL
 * goes through here.
 */
public final class UrlMasker {
  private static final Pattern USERINFO = Pattern.compile("(://[^:/@\\s]*):([^@\\s]*)@");
  private static final Pattern PARAM =
      Pattern.compile(
          "(?i)([?&;](?:password|pass|pwd|secret|token|key|auth|sslpassword|access_token)=)([^&;\\s]*)");

  private UrlMasker() {}

  /**
   * {@code e} itself if its message holds no secret; otherwise a copy with the message masked, the
   * same stack trace and cause, so that logging it with its stack trace leaks nothing.
   */
  public static RuntimeException masked(RuntimeException e) {
    String message = e.getMessage();
    String safe = mask(message);
    if (message == null || message.equals(safe)) {
      return e;
    }
    RuntimeException copy = new dev.keel.queue.BackendUnavailableException(safe, e.getCause());
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  public static String mask(String text) {
    if (text == null) {
      return null;
    }
    String masked = USERINFO.matcher(text).replaceAll("$1:***@");
    Matcher m = PARAM.matcher(masked);
    return m.replaceAll("$1***");
  }
}
