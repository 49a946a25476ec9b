package dev.keel.outbox;

import dev.keel.outbox.internal.AddressPolicy;
import dev.keel.outbox.internal.Cidr;
import dev.keel.outbox.internal.HostResolver;
import dev.keel.outbox.internal.TargetGuard;
import dev.keel.queue.KeelConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * POSTs each message's JSON payload to one HTTP(S) endpoint, refusing unsafe targets.
 *
 * <p>Before every request, and again for every redirect hop, the target is checked: http or https
 * only; no ambiguous numeric host spellings; no cloud metadata names; and the host is resolved and
 * <em>every</em> address must be public unicast — loopback, private (10/8, 172.16/12, 192.168/16,
 * fc00::/7), link-local (169.254/16, fe80::/10), multicast, unspecified, CGNAT (100.64/10),
 * reserved and metadata addresses are refused unless an {@link Builder#allowAddresses allowed
 * range} covers them (metadata endpoints never). Redirects are not followed unless {@link
 * Builder#followRedirects(int)} is set.
 *
 * <p>Why a check rather than pinning: {@code java.net.http} has no resolver hook, and connecting to
 * the IP literal would break TLS host verification. The guard resolves through {@link
 * java.net.InetAddress}, whose positive cache (30 s by default) serves the client's own lookup a
 * moment later, so the client connects to an address that was checked. Do not set {@code
 * networkaddress.cache.ttl} to 0 where untrusted parties control webhook DNS.
 *
 * <p>Requests carry {@code Content-Type: application/json}, {@code Idempotency-Key} and {@code
 * X-Keel-Message-Id} (the message id), {@code X-Keel-Message-Type}, {@code X-Keel-Tenant}, and the
 * message's headers. A 2xx answer is a delivery; its status and a bounded excerpt of the body are
 * the receipt. Anything else throws {@link WebhookDeliveryException} (retried by the relay).
 */
public final class WebhookSink implements OutboxSink {
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private final URI target;
  private final HttpClient client;
  private final TargetGuard guard;
  private final Duration requestTimeout;
  private final int maxRedirects;
  private final int excerptBytes;

  private WebhookSink(Builder b) {
    this.target = b.target;
    this.requestTimeout = b.requestTimeout != null ? b.requestTimeout : Duration.ofSeconds(10);
    this.maxRedirects = b.maxRedirects != null ? b.maxRedirects : 0;
    this.excerptBytes = b.excerptBytes != null ? b.excerptBytes : 512;
    this.guard =
        new TargetGuard(
            new AddressPolicy(b.allowed), b.resolver != null ? b.resolver : HostResolver.SYSTEM);
    this.guard.checkSyntax(target);
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(b.connectTimeout != null ? b.connectTimeout : Duration.ofSeconds(5))
            // Redirects are followed here, hop by hop, so that each hop is checked first.
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** A builder for a sink posting to {@code target}. */
  public static Builder builder(URI target) {
    return new Builder(target);
  }

  public URI target() {
    return target;
  }

  /**
   * Checks the target and POSTs the message.
   *
   * @throws UnsafeTargetException the target or a redirect hop is refused; nothing was sent to it
   * @throws WebhookDeliveryException a non-2xx answer
   * @throws IOException the connection failed or timed out
   */
  @Override
  public SinkReceipt publish(RelayedMessage message) throws IOException, InterruptedException {
    URI uri = target;
    String method = "POST";
    for (int hop = 0; ; hop++) {
      guard.check(uri);
      HttpResponse<InputStream> response =
          client.send(request(uri, method, message), HttpResponse.BodyHandlers.ofInputStream());
      int status = response.statusCode();
      String excerpt = excerpt(response.body());
      if (status >= 200 && status < 300) {
        return SinkReceipt.of("HTTP " + status + (excerpt.isEmpty() ? "" : ": " + excerpt));
      }
      if (!REDIRECTS.contains(status)) {
        throw new WebhookDeliveryException(uri.toString(), status, "not a 2xx status", excerpt);
      }
      String location = response.headers().firstValue("Location").orElse(null);
      if (location == null) {
        throw new WebhookDeliveryException(
            uri.toString(), status, "redirect without Location", excerpt);
      }
      if (hop >= maxRedirects) {
        throw new WebhookDeliveryException(
            uri.toString(),
            status,
            "redirect to " + location + " not followed (" + maxRedirects + " allowed)",
            excerpt);
      }
      uri = uri.resolve(location);
      if (status == 303) {
        method = "GET";
      }
    }
  }

  private HttpRequest request(URI uri, String method, RelayedMessage m) {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(uri)
            .timeout(requestTimeout)
            .header("Idempotency-Key", m.id().toString())
            .header("X-Keel-Message-Id", m.id().toString())
            .header("X-Keel-Message-Type", m.type())
            .header("X-Keel-Tenant", m.tenant());
    for (Map.Entry<String, String> h : m.headers().entrySet()) {
      r.header(h.getKey(), h.getValue());
    }
    if (method.equals("GET")) {
      return r.GET().build();
    }
    return r.header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(m.payload(), StandardCharsets.UTF_8))
        .build();
  }

  /** Reads at most {@code excerptBytes} of the body and closes it (the rest is discarded). */
  private String excerpt(InputStream body) throws IOException {
    try (InputStream in = body) {
      byte[] bytes = in.readNBytes(excerptBytes);
      return new String(bytes, StandardCharsets.UTF_8).replaceAll("[\\r\\n]+", " ").strip();
    }
  }

  /**
   * Configures a {@link WebhookSink}; each option once. Defaults: connect timeout 5 s, request
   * timeout 10 s, no redirects followed, body excerpt 512 bytes, nothing allowed beyond public
   * addresses.
   */
  public static final class Builder {
    private final URI target;
    private Duration connectTimeout;
    private Duration requestTimeout;
    private Integer maxRedirects;
    private Integer excerptBytes;
    private final List<Cidr> allowed = new ArrayList<>();
    private HostResolver resolver;

    private Builder(URI target) {
      this.target = Objects.requireNonNull(target, "target");
    }

    private static void once(Object current, String name) {
      if (current != null) {
        throw new KeelConfigurationException("webhook." + name + " was already set to " + current);
      }
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new KeelConfigurationException("webhook." + name + " must be positive, was " + d);
      }
      return d;
    }

    public Builder connectTimeout(Duration timeout) {
      once(this.connectTimeout, "connectTimeout");
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /** The whole request's timeout; keep it well below the relay's lease. */
    public Builder requestTimeout(Duration timeout) {
      once(this.requestTimeout, "requestTimeout");
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /** Follow up to {@code hops} redirects (0–10), checking each hop's target first. */
    public Builder followRedirects(int hops) {
      once(this.maxRedirects, "followRedirects");
      if (hops < 0 || hops > 10) {
        throw new KeelConfigurationException(
            "webhook.followRedirects must be between 0 and 10, was " + hops);
      }
      this.maxRedirects = hops;
      return this;
    }

    /** Bytes of the response body kept as excerpt (0–65536). */
    public Builder bodyExcerptBytes(int bytes) {
      once(this.excerptBytes, "bodyExcerptBytes");
      if (bytes < 0 || bytes > 65_536) {
        throw new KeelConfigurationException(
            "webhook.bodyExcerptBytes must be between 0 and 65536, was " + bytes);
      }
      this.excerptBytes = bytes;
      return this;
    }

    /**
     * Explicitly allows address ranges that are refused by default, e.g. {@code "127.0.0.1/32"} for
     * a test server or {@code "10.20.0.0/16"} for an internal service. Cloud metadata endpoints
     * stay refused.
     */
    public Builder allowAddresses(String... cidrs) {
      for (String c : cidrs) {
        allowed.add(Cidr.parse(c));
      }
      return this;
    }

    /** For tests: a resolver standing in for DNS (it only feeds the check, not the connection). */
    Builder resolver(HostResolver resolver) {
      once(this.resolver, "resolver");
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * @throws UnsafeTargetException if the target's scheme or host spelling is refused
     */
    public WebhookSink build() {
      return new WebhookSink(this);
    }
  }
}
