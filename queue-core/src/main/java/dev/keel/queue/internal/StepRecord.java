package dev.keel.queue.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.queue.steps.StepKind;
import dev.keel.queue.steps.StepState;

/**
 * The JSON body of one step record, written and read by core only (backends store it opaquely).
 * Times are ISO-8601 strings on the node's clock. The record named {@link #SAGA} is the job's saga
 * marker: {@code state} COMPENSATING while compensations run, then COMPENSATED or
 * COMPENSATION_FAILED; {@code outcome} FAIL or CANCEL; {@code error} the reason.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record StepRecord(
    StepKind kind,
    StepState state,
    JsonNode result,
    int attempt,
    String startedAt,
    String finishedAt,
    String error,
    boolean compensable,
    int compensationAttempts,
    String until,
    String outcome) {

  static final String SAGA = "keel:saga";

  /** The record holding what the job returned with {@code JobOutcome.success(result)}. */
  static final String RESULT = "keel:result";

  /** Reads a stored record's body. */
  static StepRecord read(
      com.fasterxml.jackson.databind.ObjectMapper mapper, dev.keel.queue.spi.StoredStep s) {
    try {
      return mapper.readValue(s.body(), StepRecord.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("step record '" + s.name() + "' cannot be read", e);
    }
  }

  StepRecord with(StepState newState) {
    return new StepRecord(
        kind,
        newState,
        result,
        attempt,
        startedAt,
        finishedAt,
        error,
        compensable,
        compensationAttempts,
        until,
        outcome);
  }

  StepRecord withCompensation(StepState newState, int attempts, String newError) {
    return new StepRecord(
        kind,
        newState,
        result,
        attempt,
        startedAt,
        finishedAt,
        newError,
        compensable,
        attempts,
        until,
        outcome);
  }
}
