package dev.keel.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.outbox.RelayedMessage;
import dev.keel.outbox.WebhookSink;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * POSTs each notification as JSON through the outbox's {@link WebhookSink}, which refuses unsafe
 * targets (private, loopback, link-local and metadata addresses unless allowed; see its Javadoc).
 * Needs the {@code outbox} module on the class path.
 *
 * <p>The body is {@code {"kind": "OPENED"|"REOPENED"|"RESOLVED", "alert": {...}}} with the alert as
 * the API shows it. The {@code Idempotency-Key} header is derived from the alert, the kind and the
 * alert's version, so a receiver can drop a repeat. A failed POST is logged by the console and not
 * retried: the alert stays visible in the console.
 *
 * <pre>{@code
 * .alertSink(new WebhookAlertSink(WebhookSink.builder(URI.create("https://hooks.example.com/keel")).build()))
 * }</pre>
 */
public final class WebhookAlertSink implements AlertSink {
  private final WebhookSink webhook;
  private final ObjectMapper json = new ObjectMapper();

  public WebhookAlertSink(WebhookSink webhook) {
    this.webhook = Objects.requireNonNull(webhook, "webhook");
  }

  @Override
  public void notify(AlertNotification n) throws Exception {
    Alert a = n.alert();
    ObjectNode body = json.createObjectNode();
    body.put("kind", n.kind().name());
    body.set("alert", a.toJson(json));
    UUID id =
        UUID.nameUUIDFromBytes(
            (a.id() + "/" + n.kind() + "/" + a.version()).getBytes(StandardCharsets.UTF_8));
    webhook.publish(
        new RelayedMessage(
            id,
            a.version(),
            a.tenant() != null ? a.tenant() : "default",
            a.rule() + "/" + a.subject(),
            "keel.alert." + n.kind().name().toLowerCase(Locale.ROOT),
            body.toString(),
            Map.of(),
            1,
            // When the alert changed (the backend's clock, or the console's when it is down).
            a.updatedAt()));
  }

  @Override
  public String toString() {
    return "WebhookAlertSink[" + webhook.target() + "]";
  }
}
