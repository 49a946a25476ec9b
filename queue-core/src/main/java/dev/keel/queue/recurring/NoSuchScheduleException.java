package dev.keel.queue.recurring;

import dev.keel.queue.KeelException;

/** No schedule of that name is stored (never declared, or removed). Nothing was changed. */
public class NoSuchScheduleException extends KeelException {
  private final String name;

  public NoSuchScheduleException(String name) {
    super("no schedule named '" + name + "' is stored");
    this.name = name;
  }

  /** The name asked for. */
  public String name() {
    return name;
  }
}
