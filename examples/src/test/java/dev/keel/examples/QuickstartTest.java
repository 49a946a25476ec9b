package dev.keel.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.Keel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's demo, run the way ./demo runs it, on the inline backend. */
class QuickstartTest {

  @Test
  void theDemoRunsEveryJobAndEndsWithTheExpectedSummary() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Quickstart.Demo demo = new Quickstart.Demo(out);
    int exit;
    Map<String, String> env = new HashMap<>();
    try (DemoBackends backends = DemoBackends.prepare(env, out);
        Keel keel = demo.keel(backends.environment())) {
      exit = demo.run(keel);
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(text).isZero();
    assertThat(text)
        .contains("Enqueued 301 jobs on the inline backend")
        .contains("progress: done 301/301")
        .contains("Summary: succeeded 300, retried 20 times, failed 1")
        .contains("Health: healthy=true")
        .contains("Demo finished as expected.");
  }
}
