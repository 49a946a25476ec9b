package dev.keel.outbox;

/**
 * The state of one delivery ledger entry.
 *
 * <pre>
 * PENDING ──execute──► SENDING ──effect returned──► SENT (replays return the stored outcome)
 *                        │  ▲
 *          effect threw  ▼  │ next execute (same provider key)
 *                       FAILED
 * </pre>
 *
 * An entry left SENDING past its lease (a crash mid-send) is handled by the {@link InFlightPolicy}.
 */
public enum LedgerState {
  PENDING,
  SENDING,
  SENT,
  FAILED
}
