package dev.keel.examples.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.BatchState;
import dev.keel.queue.JobState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NightlyReportExampleTest {
  @Test
  void aThousandChunksRunCappedAndTheSummaryThenThePublishJobRunOnce() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    NightlyReportExample.Result r =
        NightlyReportExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(r.chunksRun()).isEqualTo(1_000);
    assertThat(r.mostAtOnce()).isBetween(1, 16);
    assertThat(r.summarySaw().state()).isEqualTo(BatchState.COMPLETED);
    assertThat(r.summarySaw().count(JobState.SUCCEEDED)).isEqualTo(996);
    assertThat(r.summarySaw().count(JobState.FAILED)).isEqualTo(4);
    assertThat(r.onSuccessState()).isEqualTo(JobState.CANCELLED);
    assertThat(r.order()).isEqualTo(List.of("summary", "publish"));
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("996 succeeded, 4 failed");
  }
}
