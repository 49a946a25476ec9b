package dev.keel.spring;

import dev.keel.queue.Keel;

/**
 * Adjusts the {@link Keel.Builder} after the starter applied the {@code keel.*} properties, before
 * the Keel bean is built: register types by hand, add a throttle, set a clock. Beans of this type
 * are applied in {@link org.springframework.core.annotation.Order} order.
 */
@FunctionalInterface
public interface KeelBuilderCustomizer {
  void customize(Keel.Builder builder);
}
