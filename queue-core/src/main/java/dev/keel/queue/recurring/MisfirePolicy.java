package dev.keel.queue.recurring;

/**
 * What a schedule does with fire times that passed while no scheduler ran (every node down, a
 * deploy, a long pause of the process). A fire time is <em>missed</em> when it lies more than the
 * schedule's misfire window (default 1 minute) before the moment a scheduler finds it; fire times
 * within the window fire normally, each with its own job, however late.
 *
 * <ul>
 *   <li>{@link #fireOnce()} (default): one job for all the missed fire times together, carrying the
 *       latest of them as its fire time.
 *   <li>{@link #fireAll(int)}: one job per missed fire time, oldest first, but at most {@code cap}
 *       of them: the most recent ones. Older ones are skipped.
 *   <li>{@link #skip()}: no job for missed fire times; the schedule carries on with its next one.
 * </ul>
 */
public sealed interface MisfirePolicy {

  /** The largest cap {@link #fireAll(int)} accepts. */
  int MAX_CAP = 1_000;

  /** One job for all missed fire times (default). */
  static MisfirePolicy fireOnce() {
    return FireOnce.INSTANCE;
  }

  /**
   * One job per missed fire time, at most {@code cap} (1 to {@value #MAX_CAP}), the most recent.
   *
   * @throws InvalidScheduleException if {@code cap} is out of range
   */
  static MisfirePolicy fireAll(int cap) {
    return new FireAll(cap);
  }

  /** No job for missed fire times. */
  static MisfirePolicy skip() {
    return Skip.INSTANCE;
  }

  /** See {@link MisfirePolicy#fireOnce()}. */
  enum FireOnce implements MisfirePolicy {
    INSTANCE;

    @Override
    public String toString() {
      return "fireOnce";
    }
  }

  /** See {@link MisfirePolicy#fireAll(int)}. */
  record FireAll(int cap) implements MisfirePolicy {
    public FireAll {
      if (cap < 1 || cap > MAX_CAP) {
        throw new InvalidScheduleException(
            "misfire.cap", "must be between 1 and " + MAX_CAP + ", was " + cap);
      }
    }

    @Override
    public String toString() {
      return "fireAll(" + cap + ")";
    }
  }

  /** See {@link MisfirePolicy#skip()}. */
  enum Skip implements MisfirePolicy {
    INSTANCE;

    @Override
    public String toString() {
      return "skip";
    }
  }
}
