package dev.keel.queue.spi;

import java.util.Set;
import java.util.UUID;

/**
 * A page of alerts, newest first (id descending).
 *
 * @param states if non-empty, only these states
 * @param tenants null for every alert; otherwise only alerts about one of these tenants (alerts
 *     about the whole backend, whose tenant is null, are left out)
 * @param before only ids strictly smaller (the previous page's {@link AlertPage#next()}); null for
 *     the first page
 * @param limit 1 to {@link #MAX_LIMIT}
 */
public record AlertListRequest(
    Set<AlertState> states, Set<String> tenants, UUID before, int limit) {
  public static final int MAX_LIMIT = 500;

  public AlertListRequest {
    states = states == null ? Set.of() : Set.copyOf(states);
    tenants = tenants == null ? null : Set.copyOf(tenants);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
  }

  /** True if {@code alert} belongs on a page of this request (ignoring the limit). */
  public boolean matches(StoredAlert alert) {
    return (states.isEmpty() || states.contains(alert.state()))
        && (tenants == null || (alert.tenant() != null && tenants.contains(alert.tenant())))
        && (before == null || alert.id().compareTo(before) < 0);
  }
}
