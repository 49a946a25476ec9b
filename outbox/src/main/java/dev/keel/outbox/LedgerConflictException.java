package dev.keel.outbox;

import dev.keel.queue.KeelException;

/**
 * A ledger key was executed with a payload different from the one it was first used with. Nothing
 * was changed and the effect was not called: a key names one effect, never a different one.
 */
public class LedgerConflictException extends KeelException {
  private final String tenant;
  private final String key;

  public LedgerConflictException(String tenant, String key, String storedHash, String givenHash) {
    super(
        "key: ledger key '"
            + key
            + "' of tenant '"
            + tenant
            + "' was used with a different payload (stored sha256 "
            + storedHash
            + ", given "
            + givenHash
            + ")");
    this.tenant = tenant;
    this.key = key;
  }

  public String tenant() {
    return tenant;
  }

  public String key() {
    return key;
  }
}
