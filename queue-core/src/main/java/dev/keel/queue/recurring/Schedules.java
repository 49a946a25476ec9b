package dev.keel.queue.recurring;

import dev.keel.queue.EnqueueResult;
import java.util.List;
import java.util.Optional;

/**
 * The recurring schedules stored in a Keel's backend, shared by every node on that backend. From
 * {@code keel.schedules()}.
 *
 * <p>Schedules declared on {@code Keel.builder().schedule(...)} are written to the backend (upsert
 * by name) the first time this Keel needs them: when its first worker starts, or on the first call
 * here. Workers fire due schedules on their own ({@code Worker.Builder.schedules}); {@link
 * #fireDue()} does it once by hand, for processes without workers and for tests.
 *
 * <p>Every call takes effect cluster-wide: a pause on one node stops the schedule on all of them.
 */
public interface Schedules {

  /**
   * Stores {@code schedule} now (insert, or update of the stored one with that name): a changed
   * trigger moves the next fire time, a changed job or policy does not.
   *
   * @return the schedule as stored
   * @throws InvalidScheduleException the job template breaks a job rule ({@code
   *     schedule.job.<field>}); nothing was written
   */
  ScheduleInfo declare(Schedule schedule);

  /**
   * Deletes the stored schedule (its jobs stay). A node that still declares it writes it back when
   * that node next starts.
   *
   * @return false if there was no such schedule
   */
  boolean remove(String name);

  /**
   * Stops the schedule on every node until {@link #resume}. Pausing a paused schedule is a no-op.
   *
   * @throws NoSuchScheduleException no schedule has that name
   */
  ScheduleInfo pause(String name);

  /**
   * Restarts a paused schedule from its next fire time after now: fire times that passed while it
   * was paused never fire.
   *
   * @throws NoSuchScheduleException no schedule has that name
   */
  ScheduleInfo resume(String name);

  /** The stored schedule with that name. */
  Optional<ScheduleInfo> find(String name);

  /**
   * One page of stored schedules in name order.
   *
   * @param afterName exclusive start, or null for the first page
   * @param limit 1 to 1000
   */
  ScheduleInfoPage list(String afterName, int limit);

  /** Every stored schedule in name order (read page by page). */
  List<ScheduleInfo> list();

  /**
   * Enqueues the schedule's job now, once, outside its regular sequence: the next regular fire
   * time, the last fire time and the overlap policy are not touched. The job's metadata has {@code
   * keel.schedule} and {@code keel.trigger=manual}.
   *
   * @throws NoSuchScheduleException no schedule has that name
   */
  EnqueueResult trigger(String name);

  /**
   * Fires every schedule that is due on the backend's clock, once, in this thread (the same path as
   * the workers' scheduler), and says what happened.
   */
  FireReport fireDue();
}
