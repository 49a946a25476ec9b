package dev.keel.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.opentelemetry.KeelTracing;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.TracePropagator;
import dev.keel.spring.Payloads.Welcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Micrometer and OpenTelemetry are wired when on the classpath, and only then. */
class ObservabilityAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(KeelAutoConfiguration.class))
          .withUserConfiguration(Handlers.class)
          .withPropertyValues("keel.backend=inline");

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Otel {
    final InMemorySpanExporter spans = InMemorySpanExporter.create();

    @Bean(destroyMethod = "close")
    OpenTelemetrySdk openTelemetry() {
      return OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .build();
    }
  }

  @Test
  void withAMeterRegistryKeelsMetersAreBoundAndCount() {
    runner
        .withUserConfiguration(Registry.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(KeelMicrometer.class);
              Keel keel = context.getBean(Keel.class);
              keel.client().enqueue(JobRequest.of("welcome", new Welcome("m@example.com")));
              keel.drain();
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(
                      registry
                          .get("keel.jobs.succeeded")
                          .tag("type", "welcome")
                          .functionCounter()
                          .count())
                  .isEqualTo(1.0);
              assertThat(registry.find("keel.backend.reachable").gauge()).isNotNull();
            });
  }

  @Test
  void withoutKeelMicrometerOnTheClasspathThereAreNoMeters() {
    runner
        .withUserConfiguration(Registry.class)
        .withClassLoader(new FilteredClassLoader("dev.keel.micrometer"))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(KeelMicrometer.class));
  }

  @Test
  void metricsCanBeSwitchedOffAndABadRefreshIntervalNamesTheProperty() {
    runner
        .withUserConfiguration(Registry.class)
        .withPropertyValues("keel.metrics.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(KeelMicrometer.class));
    runner
        .withUserConfiguration(Registry.class)
        .withPropertyValues("keel.metrics.refresh-interval=0s")
        .run(
            context ->
                KeelAutoConfigurationTest.assertFailureNames(
                    context, "keel.metrics.refresh-interval"));
  }

  @Test
  void withAnOpenTelemetryBeanEnqueueAndExecutionAreOneTrace() {
    runner
        .withUserConfiguration(Otel.class)
        .run(
            context -> {
              assertThat(context.getBean(TracePropagator.class)).isInstanceOf(KeelTracing.class);
              Keel keel = context.getBean(Keel.class);
              keel.client().enqueue(JobRequest.of("welcome", new Welcome("t@example.com")));
              keel.drain();
              List<SpanData> spans = context.getBean(Otel.class).spans.getFinishedSpanItems();
              SpanData producer =
                  spans.stream()
                      .filter(s -> s.getKind() == SpanKind.PRODUCER)
                      .findFirst()
                      .orElseThrow();
              SpanData consumer =
                  spans.stream()
                      .filter(s -> s.getKind() == SpanKind.CONSUMER)
                      .findFirst()
                      .orElseThrow();
              assertThat(consumer.getTraceId()).isEqualTo(producer.getTraceId());
              assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
            });
  }

  @Test
  void withoutKeelOpenTelemetryOnTheClasspathThereIsNoTracer() {
    runner
        .withUserConfiguration(Otel.class)
        .withClassLoader(new FilteredClassLoader("dev.keel.opentelemetry"))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TracePropagator.class));
  }

  @Test
  void withoutAnOpenTelemetryBeanThereIsNoTracer() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(TracePropagator.class);
          assertThat(context.getBeanProvider(OpenTelemetry.class).getIfAvailable()).isNull();
        });
  }
}
