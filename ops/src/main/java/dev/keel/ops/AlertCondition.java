package dev.keel.ops;

import java.util.Objects;

/**
 * One thing a rule found wrong now. A rule reports the same {@code subject} on every evaluation
 * while the problem lasts, so that it stays one alert.
 *
 * @param subject what the alert is about within its rule, e.g. a job type; at most 200 characters
 * @param tenant the tenant it concerns, or null for the whole backend (visible to administrators)
 * @param severity {@code warning} or {@code critical}
 * @param message one line for a person, e.g. {@code "email: 40% of 50 jobs failed in 15m"}
 */
public record AlertCondition(String subject, String tenant, String severity, String message) {
  public AlertCondition {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(message, "message");
    if (subject.isBlank() || subject.length() > 200) {
      throw new IllegalArgumentException("alert subject must be 1 to 200 characters: " + subject);
    }
    if (!"warning".equals(severity) && !"critical".equals(severity)) {
      throw new IllegalArgumentException(
          "alert severity must be warning or critical, was " + severity);
    }
  }
}
