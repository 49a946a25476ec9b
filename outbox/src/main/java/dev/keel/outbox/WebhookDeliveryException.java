package dev.keel.outbox;

import dev.keel.queue.KeelException;

/**
 * The webhook answered, but not with a 2xx status (or with a redirect that is not followed). The
 * relay stores the message (status and body excerpt) as the message's last error and retries.
 */
public class WebhookDeliveryException extends KeelException {
  private final int status;
  private final String bodyExcerpt;

  public WebhookDeliveryException(String target, int status, String detail, String bodyExcerpt) {
    super("webhook " + target + " answered HTTP " + status + ": " + detail + " — " + bodyExcerpt);
    this.status = status;
    this.bodyExcerpt = bodyExcerpt;
  }

  public int status() {
    return status;
  }

  /** The first characters of the response body. */
  public String bodyExcerpt() {
    return bodyExcerpt;
  }
}
