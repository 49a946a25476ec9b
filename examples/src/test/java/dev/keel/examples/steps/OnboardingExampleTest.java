package dev.keel.examples.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.keel.outbox.LedgerEntry;
import dev.keel.outbox.LedgerState;
import dev.keel.queue.JobState;
import dev.keel.queue.steps.ChildResult;
import dev.keel.queue.steps.ChildResults;
import dev.keel.queue.steps.StepInfo;
import dev.keel.queue.steps.StepKind;
import dev.keel.queue.steps.StepReport;
import dev.keel.queue.steps.StepState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the example as its {@code main} (and so the Javadoc's {@code exec:java} command) does: the
 * ledger in PostgreSQL at {@code KEEL_DATABASE_URL} (or the default), schema {@code
 * onboarding_example}.
 */
class OnboardingExampleTest {
  @Test
  void aFailedChildIsCompensatedInReverseOrderAndTheOtherCustomerIsWelcomedOnce() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OnboardingExample.Result r =
        OnboardingExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String output = bytes.toString(StandardCharsets.UTF_8);

    // acme: the storage child failed for good, so the parent failed at once and compensated.
    assertThat(r.states()).containsEntry("acme", JobState.FAILED);
    assertThat(r.errors().get("acme"))
        .isEqualTo("provisioning failed: storage: region eu-1 is full (compensated 3 step(s))");
    assertThat(childStates(r.children().get("acme")))
        .containsExactly(JobState.SUCCEEDED, JobState.FAILED, JobState.SUCCEEDED);
    assertThat(r.children().get("acme").results()).containsExactly("mailbox-acme", "billing-acme");
    assertThat(r.children().get("acme").failures())
        .singleElement()
        .satisfies(f -> assertThat(f.error()).isEqualTo("region eu-1 is full"));
    List<String> acme = r.log().stream().filter(l -> l.contains("acme")).toList();
    assertThat(acme.subList(2, 5))
        .as("the children, in whatever order they ran")
        .containsExactlyInAnyOrder(
            "provision mailbox for acme: mailbox-acme",
            "provision storage for acme: region eu-1 is full",
            "provision billing for acme: billing-acme");
    assertThat(acme)
        .hasSize(10)
        .startsWith("reserve seat for acme", "charge 4900 cents to acme")
        .endsWith(
            "provisioned for acme: mailbox-acme, billing-acme; failed: storage: region eu-1 is full",
            "deprovision billing-acme",
            "deprovision mailbox-acme",
            "refund 4900 cents (ch-acme)",
            "release seat-acme");
    StepReport acmeSteps = r.steps().get("acme");
    assertThat(acmeSteps.compensation()).isEqualTo(StepState.COMPENSATED);
    assertThat(acmeSteps.steps())
        .extracting(StepInfo::name, StepInfo::kind, StepInfo::state, StepInfo::attempt)
        .containsExactly(
            tuple("reserve", StepKind.STEP, StepState.COMPENSATED, 1),
            tuple("charge", StepKind.STEP, StepState.COMPENSATED, 1),
            tuple("provision", StepKind.CHILDREN, StepState.COMPLETED, 1),
            tuple("provisioned", StepKind.STEP, StepState.COMPENSATED, 1));

    // globex: all three services, one welcome e-mail although the step ran twice.
    assertThat(r.states()).containsEntry("globex", JobState.SUCCEEDED);
    assertThat(childStates(r.children().get("globex")))
        .containsExactly(JobState.SUCCEEDED, JobState.SUCCEEDED, JobState.SUCCEEDED);
    assertThat(r.children().get("globex").results())
        .containsExactly("mailbox-globex", "storage-globex", "billing-globex");
    assertThat(r.log())
        .filteredOn(l -> l.startsWith("welcome e-mail to globex@example.com"))
        .hasSize(2)
        .satisfiesExactly(
            l -> assertThat(l).contains(": sent as mail-1-keel-").endsWith("(attempt 1)"),
            l ->
                assertThat(l)
                    .contains(": already sent as mail-1-keel-")
                    .endsWith("not sent again (attempt 2)"));
    assertThat(r.log()).endsWith("onboarded globex (ch-globex)");
    assertThat(r.steps().get("globex").compensation()).isNull();
    assertThat(r.steps().get("globex").steps())
        .extracting(StepInfo::name, StepInfo::state)
        .containsExactly(
            tuple("reserve", StepState.COMPLETED),
            tuple("charge", StepState.COMPLETED),
            tuple("provision", StepState.COMPLETED),
            tuple("provisioned", StepState.COMPLETED),
            tuple("welcome-email", StepState.COMPLETED));
    assertThat(r.steps().get("globex").steps().get(4).attempt()).isEqualTo(2);

    // The mailer and the ledger agree: one e-mail for globex, none for acme.
    assertThat(r.emails()).containsEntry("globex", 1).containsEntry("acme", 0);
    assertThat(r.ledger()).containsOnlyKeys("globex");
    LedgerEntry globex = r.ledger().get("globex");
    assertThat(globex.key()).isEqualTo("welcome:globex");
    assertThat(globex.state()).isEqualTo(LedgerState.SENT);
    assertThat(globex.attempts()).isEqualTo(1);
    assertThat(globex.providerMessageId()).startsWith("mail-1-keel-");

    assertThat(r.maxChildrenRunning()).allSatisfy((c, n) -> assertThat(n).isBetween(1, 2));
    assertThat(output)
        .contains("deprovision billing-acme")
        .contains("refund 4900 cents (ch-acme)")
        .contains("    storage: FAILED (region eu-1 is full), child attempt 1")
        .contains("    storage: SUCCEEDED -> storage-globex, child attempt 1")
        .contains("globex: 1 e-mail(s) sent by the mailer; ledger welcome:globex SENT")
        .contains("acme: 0 e-mail(s) sent by the mailer; ledger welcome:acme has no entry");
  }

  private static List<JobState> childStates(ChildResults<String> results) {
    return results.children().stream().map(ChildResult::state).toList();
  }
}
