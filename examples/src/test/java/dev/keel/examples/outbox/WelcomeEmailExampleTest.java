package dev.keel.examples.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class WelcomeEmailExampleTest {

  @Test
  void everyUserGetsExactlyOneWelcomeEmailAcrossARestart() throws Exception {
    String url =
        System.getenv()
            .getOrDefault(
                "KEEL_TEST_DATABASE_URL",
                System.getenv()
                    .getOrDefault(
                        "KEEL_DATABASE_URL",
                        "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"));
    DataSource ds = WelcomeEmailExample.dataSource(url);
    String schema =
        "t_welcome_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      WelcomeEmailExample.Result r =
          new WelcomeEmailExample(ds, schema, new PrintStream(buf, true, StandardCharsets.UTF_8))
              .run(6, 4);
      assertThat(r.users()).isEqualTo(10);
      assertThat(r.emailsPerUser()).hasSize(10).allSatisfy((to, n) -> assertThat(n).isEqualTo(1));
      assertThat(r.totalEmails()).isEqualTo(10);
      assertThat(buf.toString(StandardCharsets.UTF_8)).contains("exactly one each: true");
    } finally {
      Jdbi.create(ds).useHandle(h -> h.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE"));
    }
  }
}
