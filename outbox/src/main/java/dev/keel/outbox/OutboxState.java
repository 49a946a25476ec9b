package dev.keel.outbox;

/**
 * Where a message is in its life.
 *
 * <pre>
 * record ──► PENDING ──claim──► IN_FLIGHT ──sink ok──► DELIVERED ──retention──► (deleted)
 *              ▲  ▲                │  │
 *              │  └── retry (backoff, attempts left)
 *              │                      └── attempts exhausted ──► FAILED
 *              └──────────── explicit re-drive ────────────────────┘
 * </pre>
 *
 * An IN_FLIGHT message whose lease expired (its relay died) is claimed again by another relay.
 * PENDING, IN_FLIGHT and FAILED messages all hold back the later messages of their key.
 */
public enum OutboxState {
  PENDING,
  IN_FLIGHT,
  DELIVERED,
  FAILED
}
