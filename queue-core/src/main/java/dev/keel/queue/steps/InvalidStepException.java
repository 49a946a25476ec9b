package dev.keel.queue.steps;

import dev.keel.queue.InvalidInputException;

/**
 * A step was used against its rules (a name repeated within a run, a reserved or blank name, a
 * result too large). Thrown to the handler before anything is stored for that step; a handler that
 * lets it escape fails its job permanently, since the next attempt would break the same rule.
 */
public class InvalidStepException extends InvalidInputException {
  public InvalidStepException(String field, String rule) {
    super(field, rule);
  }
}
