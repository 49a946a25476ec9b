package dev.keel.queue.internal;

import dev.keel.queue.KeelConfigurationException;
import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;

/**
 * Virtual threads where the running JVM has them (Java 21+), found by reflection so Keel still
 * compiles for and runs on Java 17.
 */
public final class VirtualThreads {
  private VirtualThreads() {}

  public static boolean available() {
    return Runtime.version().feature() >= 21;
  }

  static ExecutorService newExecutor() {
    if (!available()) {
      throw new KeelConfigurationException(
          "virtualThreads(true) needs Java 21 or newer; this JVM is " + Runtime.version());
    }
    try {
      Method m = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
      return (ExecutorService) m.invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new KeelConfigurationException(
          "could not create a virtual-thread executor on " + Runtime.version(), e);
    }
  }
}
