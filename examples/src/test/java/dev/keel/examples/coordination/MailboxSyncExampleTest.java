package dev.keel.examples.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MailboxSyncExampleTest {
  @Test
  void fortySyncsOfFiveMailboxesRunOnePerMailboxAtATimeAndTheLedgerRefusesAStaleToken()
      throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    MailboxSyncExample.Result r =
        MailboxSyncExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(r.syncs()).isEqualTo(40);
    assertThat(r.mostAtOnceByMailbox()).hasSize(5).allSatisfy((m, n) -> assertThat(n).isEqualTo(1));
    assertThat(r.staleRefused()).isTrue();
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("stale token 1 refused");
  }
}
