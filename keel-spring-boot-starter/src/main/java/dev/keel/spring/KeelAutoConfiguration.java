package dev.keel.spring;

import dev.keel.queue.JobClient;
import dev.keel.queue.JobListener;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.TracePropagator;
import dev.keel.queue.recurring.Schedules;
import dev.keel.queue.spi.QueueBackend;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Keel for a Spring Boot application: a {@link Keel} bean configured from {@code keel.*}, its
 * {@link JobClient} and {@link Schedules}, job types found among the beans, and a worker that
 * starts when the application is ready. Actuator health, Micrometer metrics and OpenTelemetry
 * tracing are wired when they are on the classpath. Each bean backs off when the application
 * defines its own.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"
    })
@EnableConfigurationProperties(KeelProperties.class)
public class KeelAutoConfiguration {

  /** The Keel bean; closed (after the worker stopped) when the context closes. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Keel keel(
      KeelProperties properties,
      ObjectProvider<DataSource> dataSource,
      ObjectProvider<QueueBackend> backend,
      ObjectProvider<JobListener> listeners,
      ObjectProvider<TracePropagator> tracing,
      ObjectProvider<KeelBuilderCustomizer> customizers,
      ListableBeanFactory beans) {
    Keel.Builder builder = Keel.builder();
    QueueBackend own = backend.getIfUnique();
    if (own != null) {
      builder.backend(own);
    } else {
      KeelFactory.backend(properties, builder, dataSource.getIfUnique());
    }
    KeelFactory.options(properties, builder);
    List<JobType<?>> types = new JobHandlerDiscovery(beans).discover();
    types.forEach(builder::register);
    listeners.orderedStream().forEach(builder::listener);
    TracePropagator t = tracing.getIfUnique();
    if (t != null) {
      builder.tracePropagator(t);
    }
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder.build();
  }

  @Bean
  @ConditionalOnMissingBean
  public JobClient keelJobClient(Keel keel) {
    return keel.client();
  }

  @Bean
  @ConditionalOnMissingBean
  public Schedules keelSchedules(Keel keel) {
    return keel.schedules();
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(
      prefix = "keel.worker",
      name = "enabled",
      havingValue = "true",
      matchIfMissing = true)
  public KeelWorkerLifecycle keelWorker(
      Keel keel,
      KeelProperties properties,
      ObjectProvider<KeelWorkerCustomizer> customizers,
      ListableBeanFactory beans) {
    boolean hasTypes = !new JobHandlerDiscovery(beans).discover().isEmpty();
    return new KeelWorkerLifecycle(
        keel, properties.getWorker(), customizers.orderedStream().toList(), hasTypes);
  }

  /** Keel's meters, when keel-micrometer is present and the application has a MeterRegistry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {"dev.keel.micrometer.KeelMetrics", "io.micrometer.core.instrument.MeterRegistry"})
  static class MicrometerConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
    @ConditionalOnProperty(
        prefix = "keel.metrics",
        name = "enabled",
        havingValue = "true",
        matchIfMissing = true)
    public KeelMicrometer keelMicrometer(
        KeelProperties properties,
        ObjectProvider<Keel> keel,
        ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
      dev.keel.micrometer.KeelMetrics.Builder b = dev.keel.micrometer.KeelMetrics.builder();
      KeelProperties.Metrics m = properties.getMetrics();
      if (m.getRefreshInterval() != null) {
        KeelFactory.property(
            "keel.metrics.refresh-interval",
            m.getRefreshInterval(),
            () -> b.refreshInterval(m.getRefreshInterval()));
      }
      b.tagTenants(m.isTagTenants());
      return new KeelMicrometer(b.build(), keel, registry);
    }
  }

  /** Spans for enqueue and execution, when keel-opentelemetry and an OpenTelemetry bean exist. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {"dev.keel.opentelemetry.KeelTracing", "io.opentelemetry.api.OpenTelemetry"})
  static class TracingConfiguration {
    @Bean
    @ConditionalOnMissingBean(TracePropagator.class)
    @ConditionalOnBean(type = "io.opentelemetry.api.OpenTelemetry")
    @ConditionalOnProperty(
        prefix = "keel.tracing",
        name = "enabled",
        havingValue = "true",
        matchIfMissing = true)
    public TracePropagator keelTracing(
        KeelProperties properties, io.opentelemetry.api.OpenTelemetry openTelemetry) {
      return dev.keel.opentelemetry.KeelTracing.builder(openTelemetry)
          .childOfEnqueue(properties.getTracing().isChildOfEnqueue())
          .build();
    }
  }

  /** Actuator's {@code /actuator/health} shows Keel when spring-boot-health is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "keelHealthIndicator")
    public KeelHealthIndicator keelHealthIndicator(
        Keel keel, ObjectProvider<KeelWorkerLifecycle> worker) {
      return new KeelHealthIndicator(keel, worker.getIfAvailable());
    }
  }
}
