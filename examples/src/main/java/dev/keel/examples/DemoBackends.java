package dev.keel.examples;

import java.io.PrintStream;
import java.util.Map;

/** Prepares the environment the demo hands to {@code Keel.builder().fromEnvironment(...)}. */
final class DemoBackends {
  private DemoBackends() {}

  static Map<String, String> environment(Map<String, String> env, PrintStream out) {
    String backend = env.getOrDefault("KEEL_BACKEND", "inline");
    if (backend.isBlank() || backend.equals("inline")) {
      // Say it explicitly, so Keel does not warn about a missing choice: the demo chose memory.
      env.put("KEEL_BACKEND", "inline");
    }
    return env;
  }
}
