package dev.keel.queue;

import java.util.Objects;

/**
 * Progress a handler reported: a percentage from 0 to 100 and a short message.
 *
 * @param percent 0 to 100
 * @param message at most {@link #MAX_MESSAGE_LENGTH} characters, never null (empty when unset)
 */
public record JobProgress(int percent, String message) {
  public static final int MAX_MESSAGE_LENGTH = 500;

  public JobProgress {
    if (percent < 0 || percent > 100) {
      throw new InvalidJobException(
          "progress.percent", "must be between 0 and 100, was " + percent);
    }
    message = Objects.requireNonNullElse(message, "");
    if (message.length() > MAX_MESSAGE_LENGTH) {
      throw new InvalidJobException(
          "progress.message", "must be at most " + MAX_MESSAGE_LENGTH + " characters");
    }
  }
}
