package dev.keel.examples.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.JobState;
import dev.keel.queue.steps.StepInfo;
import dev.keel.queue.steps.StepState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OnboardingExampleTest {
  @Test
  void aFailedProvisionIsCompensatedInReverseOrderAndTheOtherCustomerIsOnboarded()
      throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OnboardingExample.Result r =
        OnboardingExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(r.acme()).isEqualTo(JobState.FAILED);
    assertThat(r.globex()).isEqualTo(JobState.SUCCEEDED);
    assertThat(r.log().stream().filter(l -> l.contains("acme") || l.contains("4900")))
        .containsExactly(
            "reserve seat for acme",
            "charge 4900 cents to acme",
            "provision acme (attempt 1)",
            "provision acme (attempt 2)",
            "provision acme (attempt 3)",
            "refund 4900 cents (ch-acme)",
            "release seat-acme");
    assertThat(r.log())
        .contains("welcome e-mail to globex for seat-globex", "onboarded globex (ch-globex)");
    assertThat(r.acmeSteps().compensation()).isEqualTo(StepState.COMPENSATED);
    assertThat(r.acmeSteps().steps())
        .extracting(StepInfo::state)
        .containsExactly(StepState.COMPENSATED, StepState.COMPENSATED, StepState.FAILED);
    assertThat(r.acmeError()).contains("region eu-1 is full").contains("compensated 2 step(s)");
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("refund 4900 cents");
  }
}
