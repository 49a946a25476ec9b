package dev.keel.queue;

/** The fixed rules every job is checked against. Backends may rely on them. */
public final class Limits {
  private Limits() {}

  /** Names (type, queue, tenant): 1 to 128 characters of letters, digits and {@code _ . : -}. */
  public static final String NAME_PATTERN = "[A-Za-z0-9_.:-]{1,128}";

  public static final int MAX_NAME_LENGTH = 128;
  public static final int MIN_PRIORITY = -100;
  public static final int MAX_PRIORITY = 100;
  public static final int MIN_MAX_ATTEMPTS = 1;
  public static final int MAX_MAX_ATTEMPTS = 1_000;
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

  /** A concurrency key: 1 to 255 characters, not blank. */
  public static final int MAX_CONCURRENCY_KEY_LENGTH = 255;

  /** The most jobs of one concurrency key that may run at once. */
  public static final int MAX_CONCURRENCY_LIMIT = 10_000;

  /** The most jobs one job may depend on. */
  public static final int MAX_DEPENDENCIES = 100;

  public static final int MAX_METADATA_ENTRIES = 64;
  public static final int MAX_METADATA_KEY_LENGTH = 128;
  public static final int MAX_METADATA_VALUE_LENGTH = 1_024;
  public static final int MAX_BATCH_SIZE = 10_000;

  /** Longest per-attempt timeout: 30 days. */
  public static final java.time.Duration MAX_TIMEOUT = java.time.Duration.ofDays(30);

  /** Default payload limit (1 MiB of UTF-8 JSON); configurable with {@code Keel.Builder}. */
  public static final long DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
}
