package dev.keel.queue.steps;

import dev.keel.queue.KeelException;
import java.time.Duration;

/**
 * {@code ctx.awaitSignal} waited its whole timeout without the signal. Thrown again by every later
 * replay of that wait (a signal that arrives after the timeout is stored but not used by it), so a
 * handler that catches it takes the same branch every time.
 */
public class SignalTimeoutException extends KeelException {
  private final String signal;
  private final Duration timeout;

  public SignalTimeoutException(String signal, Duration timeout) {
    super("signal '" + signal + "' did not arrive within " + timeout);
    this.signal = signal;
    this.timeout = timeout;
  }

  public String signal() {
    return signal;
  }

  public Duration timeout() {
    return timeout;
  }
}
