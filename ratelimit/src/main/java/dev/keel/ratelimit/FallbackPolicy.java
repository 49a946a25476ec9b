package dev.keel.ratelimit;

/** What a {@link FallbackRateLimiter} decides while its primary (Redis) is unavailable. */
public enum FallbackPolicy {
  /**
   * Grant every request: availability over the limit. Choose it when the limit protects something
   * that copes with a short burst. Decisions report {@code remaining = capacity - permits}.
   */
  FAIL_OPEN,

  /**
   * Deny every request, with the wait until Redis is tried again: the limit over availability.
   * Choose it when exceeding the limit costs money or breaks a contract.
   */
  FAIL_CLOSED,

  /**
   * Decide with a local bucket holding this node's share of the limit (for example the limit
   * divided by the expected number of nodes): approximately the cluster-wide limit, without Redis.
   */
  LOCAL_SHARE
}
