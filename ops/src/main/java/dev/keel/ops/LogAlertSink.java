package dev.keel.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs each notification: WARN (ERROR for critical) when an alert opens, INFO when it resolves. */
public final class LogAlertSink implements AlertSink {
  private static final Logger log = LoggerFactory.getLogger("dev.keel.ops.alerts");

  @Override
  public void notify(AlertNotification n) {
    Alert a = n.alert();
    if (n.kind() == AlertNotification.Kind.RESOLVED) {
      log.info("Alert resolved: [{}/{}] {} (id {})", a.rule(), a.subject(), a.message(), a.id());
    } else if ("critical".equals(a.severity())) {
      log.error(
          "Alert {}: [{}/{}] {} (id {})",
          n.kind().name().toLowerCase(java.util.Locale.ROOT),
          a.rule(),
          a.subject(),
          a.message(),
          a.id());
    } else {
      log.warn(
          "Alert {}: [{}/{}] {} (id {})",
          n.kind().name().toLowerCase(java.util.Locale.ROOT),
          a.rule(),
          a.subject(),
          a.message(),
          a.id());
    }
  }
}
