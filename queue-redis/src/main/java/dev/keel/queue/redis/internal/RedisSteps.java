package dev.keel.queue.redis.internal;

import dev.keel.queue.JobState;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.JobSteps;
import dev.keel.queue.spi.SignalRequest;
import dev.keel.queue.spi.SignalResult;
import dev.keel.queue.spi.StepWrite;
import dev.keel.queue.spi.StepWriteRequest;
import dev.keel.queue.spi.StepWriteResult;
import dev.keel.queue.spi.StoredSignal;
import dev.keel.queue.spi.StoredStep;
import dev.keel.queue.spi.SuspendRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Durable steps and signals on Redis: one script per call (steps_save, steps_load, signal,
 * suspend), so each is atomic with the job it belongs to; a signal stores itself and wakes the
 * suspended job in one step, and a suspend sees the signals stored before it. Key layout in KEYS.md
 * ({@code steps:<id>}, {@code signals:<id>}, the job hash's {@code awaiting} and {@code hs}).
 */
public final class RedisSteps {
  private final LuaScripts scripts;

  public RedisSteps(LuaScripts scripts) {
    this.scripts = scripts;
  }

  public StepWriteResult save(StepWriteRequest request) {
    List<String> args = new ArrayList<>(2 + 3 * request.steps().size());
    args.add(request.lease().jobId().toString());
    args.add(request.lease().token());
    for (StepWrite w : request.steps()) {
      args.add(w.name());
      args.add(Integer.toString(w.seq()));
      args.add(w.body());
    }
    List<?> reply = (List<?>) scripts.run("steps_save", args);
    if (!Long.valueOf(1).equals(reply.get(0))) {
      return StepWriteResult.lost();
    }
    Set<String> control = new HashSet<>();
    for (Object name : reply.subList(1, reply.size())) {
      control.add((String) name);
    }
    return new StepWriteResult(true, control);
  }

  public Optional<JobSteps> load(JobRef job) {
    List<?> reply = (List<?>) scripts.run("steps_load", List.of(job.tenant(), job.id().toString()));
    if (reply.isEmpty()) {
      return Optional.empty();
    }
    List<StoredStep> steps = new ArrayList<>();
    List<?> stepFlat = (List<?>) reply.get(0);
    for (int i = 0; i + 1 < stepFlat.size(); i += 2) {
      String name = (String) stepFlat.get(i);
      Record r = Record.parse(name, (String) stepFlat.get(i + 1));
      steps.add(
          new StoredStep(
              name, Math.toIntExact(r.number()), r.body(), Micros.toInstant(r.micros())));
    }
    steps.sort(Comparator.comparingInt(StoredStep::seq).thenComparing(StoredStep::name));
    List<Record> arrivals = new ArrayList<>();
    List<?> signalFlat = (List<?>) reply.get(1);
    for (int i = 0; i + 1 < signalFlat.size(); i += 2) {
      arrivals.add(Record.parse((String) signalFlat.get(i), (String) signalFlat.get(i + 1)));
    }
    arrivals.sort(Comparator.comparingLong(Record::number));
    List<StoredSignal> signals = new ArrayList<>(arrivals.size());
    for (Record r : arrivals) {
      signals.add(new StoredSignal(r.name(), r.body(), Micros.toInstant(r.micros())));
    }
    return Optional.of(new JobSteps(steps, signals));
  }

  public SignalResult signal(SignalRequest request) {
    JobRef job = request.job();
    List<?> reply =
        (List<?>)
            scripts.run(
                "signal",
                List.of(job.tenant(), job.id().toString(), request.name(), request.payload()));
    SignalResult.Outcome outcome = SignalResult.Outcome.valueOf((String) reply.get(0));
    JobState state = reply.size() > 1 ? JobState.valueOf((String) reply.get(1)) : null;
    return new SignalResult(outcome, state);
  }

  public FencedResult suspend(SuspendRequest request) {
    UUID id = request.lease().jobId();
    Object applied =
        scripts.run(
            "suspend",
            List.of(
                id.toString(),
                request.lease().token(),
                Long.toString(Micros.of(request.delay())),
                request.awaitSignal()));
    return Long.valueOf(1).equals(applied)
        ? new FencedResult(Set.of(id), Set.of())
        : new FencedResult(Set.of(), Set.of(id));
  }

  /**
   * A stored step record or signal: {@code <number>:<micros>:<body>}, number = seq of a step or
   * arrival number of a signal, micros = updatedAt or sentAt. The body (JSON, any bytes) is
   * everything after the second colon.
   */
  private record Record(String name, long number, long micros, String body) {
    static Record parse(String name, String value) {
      int first = value.indexOf(':');
      int second = first < 0 ? -1 : value.indexOf(':', first + 1);
      if (second < 0) {
        throw new IllegalStateException(
            "corrupt step or signal record '" + name + "': expected <n>:<micros>:<body>");
      }
      try {
        return new Record(
            name,
            Long.parseLong(value.substring(0, first)),
            Long.parseLong(value.substring(first + 1, second)),
            value.substring(second + 1));
      } catch (NumberFormatException e) {
        throw new IllegalStateException(
            "corrupt step or signal record '" + name + "': expected <n>:<micros>:<body>", e);
      }
    }
  }
}
