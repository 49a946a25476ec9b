package dev.keel.queue.postgres;

import dev.keel.queue.KeelConfigurationException;

/** The schema is not at the version this Keel needs and was not migrated; see {@link #status()}. */
public class SchemaMismatchException extends KeelConfigurationException {
  private final transient SchemaStatus status;

  public SchemaMismatchException(SchemaStatus status) {
    super(status.describe());
    this.status = status;
  }

  public SchemaStatus status() {
    return status;
  }
}
