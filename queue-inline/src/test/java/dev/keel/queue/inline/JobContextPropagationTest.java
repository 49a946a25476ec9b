package dev.keel.queue.inline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The logging context a handler runs in. This module's tests log through Logback because its MDC is
 * real (slf4j-simple's MDC stores nothing).
 */
class JobContextPropagationTest {

  @Test
  void mdcCarriesJobIdTypeTenantAttemptAndTraceIdWhileTheHandlerRuns() {
    Map<String, String> seen = new ConcurrentHashMap<>();
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register(
                "traced",
                Map.class,
                JobHandler.of(
                    m -> {
                      for (String key :
                          new String[] {
                            "jobId", "jobType", "tenant", "attempt", "traceId", "traceparent"
                          }) {
                        seen.put(key, String.valueOf(MDC.get(key)));
                      }
                    }))
            .build()) {
      String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      MDC.put("traceparent", traceparent);
      UUID id;
      try {
        id = keel.client().enqueue(JobRequest.of("traced", Map.of("n", 1)).withTenant("acme")).id();
      } finally {
        MDC.remove("traceparent");
      }
      keel.drain();
      assertThat(seen)
          .containsEntry("jobId", id.toString())
          .containsEntry("jobType", "traced")
          .containsEntry("tenant", "acme")
          .containsEntry("attempt", "1")
          .containsEntry("traceId", "4bf92f3577b34da6a3ce929d0e0e4736")
          .containsEntry("traceparent", traceparent);
      assertThat(MDC.get("jobId")).as("MDC cleared after the job").isNull();
      assertThat(MDC.get("traceparent")).as("trace restored to what the caller had").isNull();
    }
  }
}
