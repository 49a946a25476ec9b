package dev.keel.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attribute keys Keel's spans carry: those of the OpenTelemetry messaging and exception
 * semantic conventions (spelled out here, so the module needs no semconv artifact), and Keel's own.
 */
final class SpanAttributes {
  private SpanAttributes() {}

  /** The messaging system: always {@value #SYSTEM_KEEL}. */
  static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");

  static final String SYSTEM_KEEL = "keel";

  /** The job's queue. */
  static final AttributeKey<String> MESSAGING_DESTINATION_NAME =
      AttributeKey.stringKey("messaging.destination.name");

  /** {@value #OPERATION_SEND} or {@value #OPERATION_PROCESS}. */
  static final AttributeKey<String> MESSAGING_OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");

  /** {@value #OPERATION_SEND} or {@value #OPERATION_PROCESS}. */
  static final AttributeKey<String> MESSAGING_OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");

  static final String OPERATION_SEND = "send";
  static final String OPERATION_PROCESS = "process";

  /** The job's id. */
  static final AttributeKey<String> MESSAGING_MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");

  /** The class of the exception that failed the operation, or {@value #OTHER_ERROR}. */
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  static final String OTHER_ERROR = "_OTHER";

  static final String EXCEPTION_EVENT = "exception";
  static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
  static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");
  static final AttributeKey<String> EXCEPTION_STACKTRACE =
      AttributeKey.stringKey("exception.stacktrace");

  /** The job's type (the handler's name). */
  static final AttributeKey<String> JOB_TYPE = AttributeKey.stringKey("keel.job.type");

  /** The job's tenant. */
  static final AttributeKey<String> TENANT = AttributeKey.stringKey("keel.tenant");

  /** The attempt's number: 1 for the first run, 2 for the first retry, and so on. */
  static final AttributeKey<Long> JOB_ATTEMPT = AttributeKey.longKey("keel.job.attempt");

  /** How many attempts the job may use. */
  static final AttributeKey<Long> JOB_MAX_ATTEMPTS = AttributeKey.longKey("keel.job.max_attempts");

  /**
   * What the attempt came to: succeeded, retrying, failed, snoozed, cancelled, throttled or
   * lease_lost.
   */
  static final AttributeKey<String> JOB_OUTCOME = AttributeKey.stringKey("keel.job.outcome");

  /** Until the job's next attempt (retrying, snoozed, throttled), in milliseconds. */
  static final AttributeKey<Long> JOB_DELAY_MS = AttributeKey.longKey("keel.job.delay_ms");

  /** A cancelled job's reason. */
  static final AttributeKey<String> JOB_CANCEL_REASON =
      AttributeKey.stringKey("keel.job.cancel_reason");
}
