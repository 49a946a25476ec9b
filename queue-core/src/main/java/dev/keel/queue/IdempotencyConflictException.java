package dev.keel.queue;

import java.util.UUID;

/**
 * An enqueue used an idempotency key that is held by an existing job with a different payload. The
 * existing job is left as it is and nothing was written (for a batch: no job of the batch).
 */
public class IdempotencyConflictException extends KeelException {
  private final String tenant;
  private final String idempotencyKey;
  private final UUID existingJobId;

  public IdempotencyConflictException(String tenant, String idempotencyKey, UUID existingJobId) {
    super(
        "idempotencyKey: key '"
            + idempotencyKey
            + "' of tenant '"
            + tenant
            + "' is held by job "
            + existingJobId
            + " with a different payload");
    this.tenant = tenant;
    this.idempotencyKey = idempotencyKey;
    this.existingJobId = existingJobId;
  }

  public String tenant() {
    return tenant;
  }

  public String idempotencyKey() {
    return idempotencyKey;
  }

  public UUID existingJobId() {
    return existingJobId;
  }
}
