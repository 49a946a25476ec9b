package dev.keel.queue;

import java.time.Duration;
import java.util.Objects;

/** How long finished jobs are kept before maintenance prunes them (by finishedAt). */
public record Retention(Duration succeeded, Duration failed, Duration cancelled) {

  /** Succeeded 7 days, failed and cancelled 30 days. */
  public static final Retention DEFAULT =
      new Retention(Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(30));

  public Retention {
    check("retention.succeeded", succeeded);
    check("retention.failed", failed);
    check("retention.cancelled", cancelled);
  }

  private static void check(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new KeelConfigurationException(name + " must not be negative, was " + d);
    }
  }
}
