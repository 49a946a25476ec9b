package dev.keel.opentelemetry;

import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.spi.QueueBackend;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TracingAcrossBackendsContract} on the in-memory backend. */
class InlineTracingTest extends TracingAcrossBackendsContract {
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  @Override
  protected OpenTelemetryExtension otel() {
    return OTEL;
  }

  @Override
  protected QueueBackend newBackend() {
    return InlineBackend.create();
  }
}
