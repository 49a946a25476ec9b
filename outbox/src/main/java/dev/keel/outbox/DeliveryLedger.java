package dev.keel.outbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.outbox.internal.Database;
import dev.keel.outbox.internal.ErrorText;
import dev.keel.outbox.internal.LedgerStore;
import dev.keel.outbox.internal.PayloadHash;
import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.Limits;
import dev.keel.queue.postgres.internal.SchemaName;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an external side effect happen at most once per key, however often it is asked for (job
 * retries, outbox redeliveries, a user double-clicking): its own table records, per (tenant, key),
 * the payload hash, the state (PENDING → SENDING → SENT | FAILED), the provider message id and a
 * response summary, the last error and the attempts.
 *
 * <pre>{@code
 * DeliveryLedger ledger = outbox.ledger().inFlightPolicy(InFlightPolicy.HOLD_FOR_REVIEW).build();
 * DeliveryReceipt r = ledger.execute("welcome:" + userId, email,
 *     attempt -> DeliveryOutcome.of(mailer.send(email, attempt.providerKey()), "queued"));
 * }</pre>
 *
 * <ul>
 *   <li>SENT: the stored outcome is returned ({@code replayed = true}); the effect is not called.
 *   <li>Same key, different payload (canonical-JSON SHA-256): {@link LedgerConflictException}.
 *   <li>SENDING within its lease: another caller is sending; {@link DeliveryInProgressException}.
 *       Concurrent executes of one key never both call the effect.
 *   <li>SENDING past its lease (a crash mid-send): the {@link InFlightPolicy} decides; never a
 *       blind re-send.
 *   <li>PENDING or FAILED: the effect is called with the entry's stable provider key.
 * </ul>
 *
 * The SENDING state is committed before the effect runs and no transaction is held open during it.
 * Thread-safe.
 */
public final class DeliveryLedger {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryLedger.class);
  private static final Pattern NAME = Pattern.compile(Limits.NAME_PATTERN);

  /** Longest ledger key. */
  public static final int MAX_KEY_LENGTH = 255;

  private final LedgerStore store;
  private final PayloadHash hash;
  private final InFlightPolicy policy;
  private final Duration sendingLease;

  private DeliveryLedger(Builder b) {
    Database db =
        new Database(
            b.dataSource, new SchemaName(b.schema != null ? b.schema : Outbox.DEFAULT_SCHEMA));
    this.store = new LedgerStore(db);
    this.hash = new PayloadHash(b.mapper != null ? b.mapper : new ObjectMapper());
    this.policy = b.policy;
    this.sendingLease = b.sendingLease != null ? b.sendingLease : Duration.ofMinutes(5);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Creates the schema's tables if needed (the same migrations as {@link Outbox#migrate()}). */
  public List<Integer> migrate() {
    return OutboxMigrator.of(store.db().dataSource(), store.db().schema().value()).migrate();
  }

  public InFlightPolicy inFlightPolicy() {
    return policy;
  }

  /** {@link #execute(String, String, Object, DeliveryEffect)} in the default tenant. */
  public <X extends Exception> DeliveryReceipt execute(
      String key, Object payload, DeliveryEffect<X> effect) throws X {
    return execute(OutboxMessage.DEFAULT_TENANT, key, payload, effect);
  }

  /**
   * Performs {@code effect} for (tenant, key) unless it already happened (see the class comment).
   *
   * @param payload what the effect sends (any Jackson-serializable value); its canonical JSON hash
   *     must be the same on every call with this key
   * @return the outcome, fresh or replayed
   * @throws X the effect's own exception, unwrapped, after the entry was marked FAILED
   * @throws LedgerConflictException the key was used with a different payload
   * @throws DeliveryInProgressException another caller is sending it now
   * @throws DeliveryHeldForReviewException an interrupted send awaits a person
   * @throws LedgerLeaseLostException the effect outlived this caller's sending lease
   * @throws InvalidLedgerKeyException a bad tenant or key; nothing was written
   * @throws BackendUnavailableException the database failed
   */
  public <X extends Exception> DeliveryReceipt execute(
      String tenant, String key, Object payload, DeliveryEffect<X> effect) throws X {
    validate(tenant, key);
    Objects.requireNonNull(effect, "effect");
    String payloadHash = hash.sha256(payload);
    Start start = begin(tenant, key, payloadHash);
    if (start.replay() != null) {
      LedgerEntry e = start.replay();
      return new DeliveryReceipt(
          tenant,
          key,
          new DeliveryOutcome(e.providerMessageId(), e.responseSummary()),
          true,
          e.attempts());
    }
    DeliveryAttempt attempt =
        new DeliveryAttempt(tenant, key, start.providerKey(), start.attempt(), start.resumed());
    DeliveryOutcome outcome;
    try {
      outcome = effect.perform(attempt);
    } catch (Exception e) {
      recordFailure(tenant, key, start.token(), e);
      throw e;
    }
    // An Error from the effect propagates without touching the entry: like a crash, it leaves the
    // entry SENDING for the in-flight policy, because whether the effect happened is unknown.
    DeliveryOutcome stored = outcome == null ? DeliveryOutcome.none() : outcome;
    if (!store.markSent(tenant, key, start.token(), stored)) {
      throw new LedgerLeaseLostException(tenant, key, stored);
    }
    return new DeliveryReceipt(tenant, key, stored, false, start.attempt());
  }

  private void recordFailure(String tenant, String key, long token, Exception e) {
    try {
      if (!store.markFailed(tenant, key, token, ErrorText.of(e))) {
        LOG.warn(
            "ledger key '{}' of tenant '{}' failed after its sending lease was taken over; the"
                + " failure was not recorded",
            key,
            tenant,
            e);
      }
    } catch (BackendUnavailableException dbFailure) {
      // The effect's failure is what the caller must see; the ledger write failure rides along
      // and the entry stays SENDING, handled by the in-flight policy later.
      e.addSuppressed(dbFailure);
    }
  }

  /** How an execute proceeds: replay a stored outcome, or send under a fresh lease. */
  private record Start(
      LedgerEntry replay, String providerKey, long token, int attempt, boolean resumed) {}

  private Start begin(String tenant, String key, String payloadHash) {
    String providerKey = providerKey(tenant, key);
    return store
        .db()
        .inTransaction(
            "starting a delivery",
            c -> {
              LedgerEntry e = store.insertAndLock(c, tenant, key, payloadHash, providerKey);
              if (!e.payloadHash().equals(payloadHash)) {
                throw new LedgerConflictException(tenant, key, e.payloadHash(), payloadHash);
              }
              boolean resumed = false;
              switch (e.state()) {
                case SENT:
                  return new Start(e, null, 0, 0, false);
                case SENDING:
                  if (!e.leaseExpired()) {
                    throw new DeliveryInProgressException(e);
                  }
                  if (policy == InFlightPolicy.HOLD_FOR_REVIEW) {
                    throw new DeliveryHeldForReviewException(e);
                  }
                  LOG.warn(
                      "ledger key '{}' of tenant '{}' was interrupted while SENDING (attempt {});"
                          + " re-sending with the same provider key {} as the policy says",
                      key,
                      tenant,
                      e.attempts(),
                      e.providerKey());
                  resumed = true;
                  break;
                default:
                  break;
              }
              long[] lease = store.startSending(c, tenant, key, sendingLease.toMillis());
              return new Start(null, e.providerKey(), lease[0], (int) lease[1], resumed);
            });
  }

  /** A stable provider idempotency key for (tenant, key): the same on every attempt and node. */
  static String providerKey(String tenant, String key) {
    return "keel-" + PayloadHash.sha256Hex(tenant + "\n" + key).substring(0, 40);
  }

  private static void validate(String tenant, String key) {
    if (tenant == null || !NAME.matcher(tenant).matches()) {
      throw new InvalidLedgerKeyException(
          "tenant", "must be 1 to 128 characters of letters, digits and _ . : -, was " + tenant);
    }
    if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new InvalidLedgerKeyException(
          "key", "must be 1 to " + MAX_KEY_LENGTH + " characters, was " + key);
    }
    for (int i = 0; i < key.length(); i++) {
      if (Character.isISOControl(key.charAt(i))) {
        throw new InvalidLedgerKeyException("key", "must not contain control characters");
      }
    }
  }

  /** The entry as stored now. */
  public Optional<LedgerEntry> find(String tenant, String key) {
    validate(tenant, key);
    return store.find(tenant, key);
  }

  /** Entries left SENDING past their lease (interrupted sends), oldest first, at most limit. */
  public List<LedgerEntry> interruptedSends(int limit) {
    if (limit < 1 || limit > 10_000) {
      throw new InvalidLedgerKeyException("limit", "must be between 1 and 10000, was " + limit);
    }
    return store.stuck(limit);
  }

  /**
   * A person confirmed that the interrupted effect happened: SENT with this outcome. A running
   * sender of the entry can no longer store its own outcome.
   *
   * @return false if the entry is not SENDING
   */
  public boolean resolveAsSent(String tenant, String key, DeliveryOutcome outcome) {
    validate(tenant, key);
    return store.resolveSent(tenant, key, Objects.requireNonNull(outcome, "outcome"));
  }

  /**
   * A person confirmed that the interrupted effect did not happen: FAILED with the note, and the
   * next execute sends it (with the same provider key).
   *
   * @return false if the entry is not SENDING
   */
  public boolean resolveAsNotSent(String tenant, String key, String note) {
    validate(tenant, key);
    return store.resolveNotSent(tenant, key, "resolved as not sent: " + note);
  }

  /**
   * Configures a {@link DeliveryLedger}. The data source and the in-flight policy are required:
   * what to do after a crash mid-send is a decision, not a default.
   */
  public static final class Builder {
    private DataSource dataSource;
    private String schema;
    private ObjectMapper mapper;
    private InFlightPolicy policy;
    private Duration sendingLease;

    private Builder() {}

    private static void once(Object current, String name) {
      if (current != null) {
        throw new KeelConfigurationException("ledger." + name + " was already set to " + current);
      }
    }

    public Builder dataSource(DataSource dataSource) {
      once(this.dataSource, "dataSource");
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /** Schema of the ledger table (default {@value Outbox#DEFAULT_SCHEMA}). */
    public Builder schema(String schema) {
      once(this.schema, "schema");
      this.schema = new SchemaName(schema).value();
      return this;
    }

    /** The mapper turning payloads into JSON for hashing. */
    public Builder objectMapper(ObjectMapper mapper) {
      once(this.mapper, "objectMapper");
      this.mapper = Objects.requireNonNull(mapper, "objectMapper");
      return this;
    }

    /** What to do with an entry found SENDING past its lease. Required. */
    public Builder inFlightPolicy(InFlightPolicy policy) {
      once(this.policy, "inFlightPolicy");
      this.policy = Objects.requireNonNull(policy, "inFlightPolicy");
      return this;
    }

    /**
     * How long a sender owns an entry (default 5 min); after that the send counts as interrupted.
     * Make it longer than the effect's own timeout.
     */
    public Builder sendingLease(Duration lease) {
      once(this.sendingLease, "sendingLease");
      if (lease == null || lease.isNegative() || lease.isZero()) {
        throw new KeelConfigurationException("ledger.sendingLease must be positive, was " + lease);
      }
      this.sendingLease = lease;
      return this;
    }

    /**
     * @throws KeelConfigurationException if the data source or the in-flight policy is missing
     */
    public DeliveryLedger build() {
      if (dataSource == null) {
        throw new KeelConfigurationException("ledger.dataSource is required");
      }
      if (policy == null) {
        throw new KeelConfigurationException(
            "ledger.inFlightPolicy is required: RESEND_WITH_SAME_PROVIDER_KEY or HOLD_FOR_REVIEW");
      }
      return new DeliveryLedger(this);
    }
  }
}
