package dev.keel.ratelimit.internal;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether to call the primary store. Closed: call it. Open: do not, until the cool-down ends; then
 * exactly one caller (the probe) calls it while everyone else keeps using the fallback. A probe
 * that answers closes the circuit; one that fails opens it for another cool-down.
 */
public final class Circuit {

  /** What a caller may do now. */
  public enum Permission {
    /** The circuit is closed: call the primary. */
    CALL,
    /** This caller is the single probe after a cool-down: call the primary and report back. */
    PROBE,
    /** Open, or another caller is probing: use the fallback. */
    FALLBACK
  }

  private enum Mode {
    CLOSED,
    OPEN,
    PROBING
  }

  private record State(Mode mode, long openUntilMicros) {}

  private static final State CLOSED = new State(Mode.CLOSED, 0);

  private final InstantSource clock;
  private final long coolDownMicros;
  private final AtomicReference<State> state = new AtomicReference<>(CLOSED);

  /** A closed circuit that stays open {@code coolDown} after each failure. */
  public Circuit(InstantSource clock, Duration coolDown) {
    this.clock = clock;
    this.coolDownMicros = Micros.ceilOf(coolDown);
  }

  /** Decides whether this caller may call the primary. */
  public Permission permission() {
    while (true) {
      State current = state.get();
      switch (current.mode) {
        case CLOSED:
          return Permission.CALL;
        case PROBING:
          return Permission.FALLBACK;
        case OPEN:
          if (Micros.now(clock) < current.openUntilMicros) {
            return Permission.FALLBACK;
          }
          if (state.compareAndSet(current, new State(Mode.PROBING, current.openUntilMicros))) {
            return Permission.PROBE;
          }
          break; // lost the race to probe: look again
        default:
          throw new IllegalStateException("unknown circuit mode " + current.mode);
      }
    }
  }

  /**
   * Records a failed call.
   *
   * @return true if this failure opened a closed circuit (the caller logs the outage once)
   */
  public boolean failed(Permission permission) {
    State open = new State(Mode.OPEN, Micros.now(clock) + coolDownMicros);
    if (permission == Permission.PROBE) {
      state.set(open);
      return false;
    }
    // A call that started while closed: only the first such failure opens the circuit; failures of
    // other calls that were in flight at the same time must not restart the cool-down or log again.
    return state.compareAndSet(CLOSED, open);
  }

  /**
   * Records a successful call.
   *
   * @return true if this success was the probe that closed the circuit (the caller logs recovery)
   */
  public boolean succeeded(Permission permission) {
    if (permission != Permission.PROBE) {
      return false;
    }
    state.set(CLOSED);
    return true;
  }

  /** Time until the next probe may run: zero when closed or due. */
  public Duration untilProbe() {
    State current = state.get();
    if (current.mode == Mode.CLOSED) {
      return Duration.ZERO;
    }
    long left = current.openUntilMicros - Micros.now(clock);
    return left <= 0 ? Duration.ZERO : Micros.toDuration(left);
  }

  /** True unless closed. */
  public boolean isOpen() {
    return state.get().mode != Mode.CLOSED;
  }
}
