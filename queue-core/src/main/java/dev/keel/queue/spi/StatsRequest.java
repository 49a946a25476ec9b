package dev.keel.queue.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Ask for the figures behind a health snapshot.
 *
 * @param tenant one tenant, or null for all
 * @param failedWindow count jobs that became FAILED within this long before backend now
 */
public record StatsRequest(String tenant, Duration failedWindow) {
  public StatsRequest {
    Objects.requireNonNull(failedWindow, "failedWindow");
  }
}
