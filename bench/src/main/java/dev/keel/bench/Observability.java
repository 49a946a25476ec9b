package dev.keel.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

/**
 * What {@code --metrics} and {@code --tracing} bind Keel to: one registry for the run, and an SDK
 * whose batch processor hands every span to an exporter that only counts them, so the figures show
 * the cost of Keel's hooks and the SDK, not of a network exporter.
 */
final class Observability {
  private static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();
  private static final LongAdder EXPORTED = new LongAdder();
  private static OpenTelemetrySdk sdk;

  private Observability() {}

  /** A fresh registry per Keel would hide the cost of lookups; one serves the whole run. */
  static MeterRegistry registry() {
    REGISTRY.clear();
    return REGISTRY;
  }

  static synchronized OpenTelemetry openTelemetry() {
    if (sdk == null) {
      SpanExporter counting =
          new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
              EXPORTED.add(spans.size());
              return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
              return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
              return CompletableResultCode.ofSuccess();
            }
          };
      sdk =
          OpenTelemetrySdk.builder()
              .setTracerProvider(
                  SdkTracerProvider.builder()
                      .addSpanProcessor(BatchSpanProcessor.builder(counting).build())
                      .build())
              .build();
    }
    return sdk;
  }

  /** Spans the exporter received so far. */
  static long exportedSpans() {
    return EXPORTED.sum();
  }
}
