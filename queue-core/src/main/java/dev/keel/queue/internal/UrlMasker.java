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
  /** user:password@ up to the last '@' before the host, so a password may itself contain '@'. */
  private static final Pattern USERINFO =
      Pattern.compile("(://[^:/@\\s]*):(\\S*?)@(?=[^@\\s/]*(?:[/?#\\s]|$))");

  private static final Pattern PARAM =
      Pattern.compile(
          "(?i)([?&;](?:password|pass|pwd|secret|token|key|auth|sslpassword|access_token)=)([^&;\\s]*)");

  private UrlMasker() {}

  /**
   * {@code e} itself if no message in its cause chain holds a secret; otherwise a copy of the whole
   * chain with every message masked and every stack trace kept, so that logging it with its stack
   * trace leaks nothing. Copied causes are {@link MaskedCause}s naming the original class.
   */
  public static RuntimeException masked(RuntimeException e) {
    if (!anySecret(e)) {
      return e;
    }
    RuntimeException copy =
        new dev.keel.queue.BackendUnavailableException(
            mask(e.getMessage()), maskedChain(e.getCause()));
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  private static boolean anySecret(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String m = c.getMessage();
      if (m != null && !m.equals(mask(m))) {
        return true;
      }
    }
    return false;
  }

  private static Throwable maskedChain(Throwable t) {
    if (t == null) {
      return null;
    }
    MaskedCause copy =
        new MaskedCause(
            t.getClass().getName() + ": " + mask(t.getMessage()),
            t.getCause() == t ? null : maskedChain(t.getCause()));
    copy.setStackTrace(t.getStackTrace());
    return copy;
  }

  /** Stands in for a cause whose message was masked; its message starts with the original class. */
  public static final class MaskedCause extends RuntimeException {
    MaskedCause(String message, Throwable cause) {
      super(message, cause);
    }
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
