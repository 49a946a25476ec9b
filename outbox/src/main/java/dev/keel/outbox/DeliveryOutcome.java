package dev.keel.outbox;

/**
 * What an effect reports when it succeeded, stored in the ledger and returned to replays.
 *
 * @param providerMessageId the provider's id for the effect (e.g. the email's message id), or null
 * @param responseSummary a short description of the response (at most {@link #MAX_SUMMARY}
 *     characters are stored), or null
 */
public record DeliveryOutcome(String providerMessageId, String responseSummary) {
  /** Longest response summary kept. */
  public static final int MAX_SUMMARY = 2_000;

  public DeliveryOutcome {
    if (responseSummary != null && responseSummary.length() > MAX_SUMMARY) {
      responseSummary = responseSummary.substring(0, MAX_SUMMARY);
    }
    if (providerMessageId != null && providerMessageId.length() > 500) {
      throw new IllegalArgumentException(
          "providerMessageId must be at most 500 characters, was " + providerMessageId.length());
    }
  }

  public static DeliveryOutcome of(String providerMessageId, String responseSummary) {
    return new DeliveryOutcome(providerMessageId, responseSummary);
  }

  /** An outcome with nothing to store. */
  public static DeliveryOutcome none() {
    return new DeliveryOutcome(null, null);
  }
}
