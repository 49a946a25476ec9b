package dev.keel.queue.postgres;

import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.KeelException;
import dev.keel.queue.Limits;
import dev.keel.queue.postgres.internal.BoundedConnectionPool;
import dev.keel.queue.postgres.internal.Claimer;
import dev.keel.queue.postgres.internal.Database;
import dev.keel.queue.postgres.internal.Enqueuer;
import dev.keel.queue.postgres.internal.Failures;
import dev.keel.queue.postgres.internal.FencedLockStore;
import dev.keel.queue.postgres.internal.FencedUpdates;
import dev.keel.queue.postgres.internal.JobQueries;
import dev.keel.queue.postgres.internal.LinkStore;
import dev.keel.queue.postgres.internal.ListenConnection;
import dev.keel.queue.postgres.internal.Maintenance;
import dev.keel.queue.postgres.internal.NotificationListener;
import dev.keel.queue.postgres.internal.OpsStore;
import dev.keel.queue.postgres.internal.ScheduleStore;
import dev.keel.queue.postgres.internal.SchemaName;
import dev.keel.queue.postgres.internal.Statements;
import dev.keel.queue.postgres.internal.StatsReader;
import dev.keel.queue.postgres.internal.StepStore;
import dev.keel.queue.spi.AlertListRequest;
import dev.keel.queue.spi.AlertOpenRequest;
import dev.keel.queue.spi.AlertOpenResult;
import dev.keel.queue.spi.AlertPage;
import dev.keel.queue.spi.AlertPruneRequest;
import dev.keel.queue.spi.AlertUpdateRequest;
import dev.keel.queue.spi.AlertUpdateResult;
import dev.keel.queue.spi.BackendCapabilities;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.BatchCancelResult;
import dev.keel.queue.spi.BatchRef;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ChangeResult;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.ClaimResponse;
import dev.keel.queue.spi.DueSchedules;
import dev.keel.queue.spi.DueSchedulesRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.EnqueueResponse;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.HeartbeatRequest;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.JobSteps;
import dev.keel.queue.spi.LockRequest;
import dev.keel.queue.spi.LockResult;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.PingResult;
import dev.keel.queue.spi.ProgressRequest;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.PruneResult;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.RedriveRequest;
import dev.keel.queue.spi.RescueRequest;
import dev.keel.queue.spi.RescueResult;
import dev.keel.queue.spi.ResolveRequest;
import dev.keel.queue.spi.ResolveResult;
import dev.keel.queue.spi.SampleListRequest;
import dev.keel.queue.spi.SampleWriteRequest;
import dev.keel.queue.spi.ScheduleChangeResult;
import dev.keel.queue.spi.ScheduleFireRequest;
import dev.keel.queue.spi.ScheduleFireResult;
import dev.keel.queue.spi.ScheduleListRequest;
import dev.keel.queue.spi.SchedulePage;
import dev.keel.queue.spi.SchedulePauseRequest;
import dev.keel.queue.spi.ScheduleRef;
import dev.keel.queue.spi.ScheduleUpsertRequest;
import dev.keel.queue.spi.ScheduleUpsertResult;
import dev.keel.queue.spi.SignalRequest;
import dev.keel.queue.spi.SignalResult;
import dev.keel.queue.spi.StatsRequest;
import dev.keel.queue.spi.StepWriteRequest;
import dev.keel.queue.spi.StepWriteResult;
import dev.keel.queue.spi.StoredAlert;
import dev.keel.queue.spi.StoredBatch;
import dev.keel.queue.spi.StoredSample;
import dev.keel.queue.spi.StoredSchedule;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.spi.SuspendRequest;
import dev.keel.queue.spi.WakeupListener;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL backend: jobs in one table of a configurable schema, claimed with {@code FOR
 * UPDATE SKIP LOCKED}, every worker-side change fenced by the lease token, wake-ups by {@code
 * LISTEN/NOTIFY}. Built with {@link #builder()} over the application's {@link DataSource} or {@link
 * Jdbi}; the application owns that pool and closes it after this backend.
 *
 * <p>Besides the {@link QueueBackend} contract it offers enqueue inside the caller's transaction
 * ({@link #enqueue(Handle, EnqueueRequest)}, {@link #enqueue(Connection, EnqueueRequest)}), so a
 * job is committed or rolled back together with the business data that asked for it.
 *
 * <p>Thread-safe.
 */
public final class PostgresBackend implements QueueBackend {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresBackend.class);

  private final SchemaName schema;
  private final Database db;
  private final Failures failures;
  private final Enqueuer enqueuer;
  private final LinkStore links;
  private final Claimer claimer;
  private final FencedUpdates fenced;
  private final JobQueries queries;
  private final StatsReader stats;
  private final Maintenance maintenance;
  private final FencedLockStore fencedLocks;
  private final ScheduleStore schedules;
  private final OpsStore ops;
  private final StepStore steps;
  private final NotificationListener listener;
  private final boolean notifications;
  private final Migrator migrator;
  private final AutoCloseable ownedPool;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PostgresBackend(Builder b) {
    this.schema = new SchemaName(b.schema);
    this.failures = new Failures(b.description, b.secret);
    Jdbi jdbi = b.jdbi != null ? b.jdbi : Jdbi.create(b.dataSource);
    this.db = new Database(jdbi, failures);
    this.notifications = b.notifications;
    Statements sql = new Statements(schema);
    String channel = schema.channel();
    this.links = new LinkStore(db, sql, channel, notifications);
    this.enqueuer = new Enqueuer(sql, channel, notifications, links);
    String workerCommitMode = b.asynchronousWorkerCommits ? "off" : null;
    this.claimer = new Claimer(db, sql, workerCommitMode);
    this.fenced = new FencedUpdates(db, sql, channel, notifications, workerCommitMode);
    this.queries = new JobQueries(db, sql, channel, notifications);
    this.stats = new StatsReader(db, sql);
    this.maintenance = new Maintenance(db, sql, channel, notifications);
    this.fencedLocks = new FencedLockStore(db, sql);
    this.schedules = new ScheduleStore(db, sql, enqueuer);
    this.ops = new OpsStore(db, sql);
    this.steps = new StepStore(db, sql, channel, notifications, workerCommitMode);
    ListenConnection.Opener opener =
        b.listenOpener != null
            ? b.listenOpener
            : () -> {
              Handle h = jdbi.open();
              return new ListenConnection(h.getConnection(), h::close);
            };
    this.listener =
        new NotificationListener(opener, channel, failures, b.reconnectInitial, b.reconnectMax);
    this.migrator = new Migrator(jdbi, schema, failures);
    this.ownedPool = b.ownedPool;
  }

  /** A builder; set exactly one of {@link Builder#dataSource} and {@link Builder#jdbi}. */
  public static Builder builder() {
    return new Builder();
  }

  private PostgresBackend start(boolean migrateOnStart) {
    SchemaStatus status = migrateOnStart ? migrator.migrate() : migrator.requireCurrent();
    LOG.info(
        "Keel PostgreSQL backend ready: {}, notifications {}",
        status.describe(),
        notifications ? "on (channel " + schema.channel() + ")" : "off");
    return this;
  }

  /** The schema holding this backend's tables. */
  public String schema() {
    return schema.value();
  }

  /** The migrator of this backend's schema (to validate, or migrate when migrateOnStart is off). */
  public Migrator migrator() {
    return migrator;
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities("postgres", true, true, notifications, Limits.MAX_BATCH_SIZE)
        .withSchedules(true)
        .withOpsData(true)
        .withCoordination(true)
        .withSteps(true);
  }

  @Override
  public EnqueueResponse enqueue(EnqueueRequest request) {
    if (request.jobs().isEmpty()) {
      return new EnqueueResponse(java.util.List.of());
    }
    if (Enqueuer.oneStatement(request)) {
      // A single INSERT is atomic on its own: auto-commit saves the BEGIN/COMMIT round trip.
      return db.autoCommit("enqueue", c -> enqueuer.enqueue(c, request, false));
    }
    return db.inTransaction("enqueue", c -> enqueuer.enqueue(c, request, false));
  }

  /**
   * Enqueues inside the transaction of {@code handle}: the jobs become visible (and listeners are
   * woken) only if the caller commits, and vanish if it rolls back. Without an open transaction on
   * the handle, the enqueue runs in its own. Idempotency works as for {@link
   * #enqueue(EnqueueRequest)}; on a conflict nothing of the request stays in the transaction.
   *
   * @throws dev.keel.queue.IdempotencyConflictException on a key held with another payload
   * @throws dev.keel.queue.BackendUnavailableException if the database fails
   */
  public EnqueueResponse enqueue(Handle handle, EnqueueRequest request) {
    Objects.requireNonNull(handle, "handle");
    if (request.jobs().isEmpty()) {
      return new EnqueueResponse(java.util.List.of());
    }
    try {
      if (handle.isInTransaction()) {
        return enqueuer.enqueue(handle.getConnection(), request, true);
      }
      return handle.inTransaction(h -> enqueuer.enqueue(h.getConnection(), request, false));
    } catch (KeelException e) {
      throw e;
    } catch (SQLException | JdbiException e) {
      throw failures.unavailable("enqueue in the caller's transaction", e);
    }
  }

  /**
   * Enqueues inside the current transaction of {@code connection} (auto-commit off), with the same
   * guarantees as {@link #enqueue(Handle, EnqueueRequest)}. On an auto-commit connection the
   * enqueue runs in a transaction of its own and auto-commit is restored.
   */
  public EnqueueResponse enqueue(Connection connection, EnqueueRequest request) {
    Objects.requireNonNull(connection, "connection");
    if (request.jobs().isEmpty()) {
      return new EnqueueResponse(java.util.List.of());
    }
    try {
      if (!connection.getAutoCommit()) {
        return enqueuer.enqueue(connection, request, true);
      }
      connection.setAutoCommit(false);
      try {
        EnqueueResponse response = enqueuer.enqueue(connection, request, false);
        connection.commit();
        return response;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (KeelException e) {
      throw e;
    } catch (SQLException e) {
      throw failures.unavailable("enqueue in the caller's transaction", e);
    }
  }

  @Override
  public ClaimResponse claim(ClaimRequest request) {
    return claimer.claim(request);
  }

  @Override
  public FencedResult heartbeat(HeartbeatRequest request) {
    return fenced.heartbeat(request);
  }

  @Override
  public FencedResult finish(FinishRequest request) {
    return fenced.finish(request);
  }

  @Override
  public FencedResult progress(ProgressRequest request) {
    return fenced.progress(request);
  }

  @Override
  public ChangeResult cancel(CancelRequest request) {
    return queries.cancel(request);
  }

  @Override
  public Optional<StoredBatch> findBatch(BatchRef batch) {
    return links.find(batch);
  }

  @Override
  public BatchCancelResult cancelBatch(BatchRef batch) {
    return links.cancel(batch);
  }

  @Override
  public ResolveResult resolveBlocked(ResolveRequest request) {
    return links.resolve(request);
  }

  @Override
  public ChangeResult redrive(RedriveRequest request) {
    return queries.redrive(request);
  }

  @Override
  public Optional<Job> find(JobRef job) {
    return queries.find(job);
  }

  @Override
  public JobPage list(JobQuery query) {
    return queries.list(query);
  }

  @Override
  public BackendStats stats(StatsRequest request) {
    return stats.stats(request);
  }

  @Override
  public RescueResult rescue(RescueRequest request) {
    return maintenance.rescue(request);
  }

  @Override
  public PruneResult prune(PruneRequest request) {
    return maintenance.prune(request);
  }

  @Override
  public boolean lockMaintenance(MaintenanceLockRequest request) {
    return maintenance.lock(request);
  }

  @Override
  public void unlockMaintenance(String owner) {
    maintenance.unlock(MaintenanceLockRequest.MAINTENANCE, owner);
  }

  @Override
  public LockResult acquireLock(LockRequest request) {
    return fencedLocks.acquire(Objects.requireNonNull(request, "request"));
  }

  @Override
  public LockResult renewLock(LockRequest request) {
    return fencedLocks.renew(Objects.requireNonNull(request, "request"));
  }

  @Override
  public boolean releaseLock(LockRequest request) {
    return fencedLocks.release(Objects.requireNonNull(request, "request"));
  }

  /** Each name is a lock of its own, a row of the {@code locks} table. */
  @Override
  public void unlockMaintenance(String name, String owner) {
    maintenance.unlock(Objects.requireNonNull(name, "name"), owner);
  }

  @Override
  public ScheduleUpsertResult upsertSchedules(ScheduleUpsertRequest request) {
    return schedules.upsert(request);
  }

  @Override
  public ScheduleChangeResult removeSchedule(ScheduleRef schedule) {
    return schedules.remove(schedule);
  }

  @Override
  public ScheduleChangeResult pauseSchedule(SchedulePauseRequest request) {
    return schedules.pause(request);
  }

  @Override
  public Optional<StoredSchedule> findSchedule(ScheduleRef schedule) {
    return schedules.find(schedule);
  }

  @Override
  public SchedulePage listSchedules(ScheduleListRequest request) {
    return schedules.list(request);
  }

  @Override
  public DueSchedules dueSchedules(DueSchedulesRequest request) {
    return schedules.due(request);
  }

  /**
   * Fires the whole request in one transaction: the schedules are locked in name order (so nodes
   * firing overlapping batches never deadlock), the jobs of all fires that fire are inserted with
   * one enqueue statement, and the changed schedules are written with one more.
   */
  @Override
  public ScheduleFireResult fireSchedules(ScheduleFireRequest request) {
    return schedules.fire(request);
  }

  @Override
  public StepWriteResult saveSteps(StepWriteRequest request) {
    return steps.save(Objects.requireNonNull(request, "request"));
  }

  @Override
  public Optional<JobSteps> loadSteps(JobRef job) {
    return steps.load(Objects.requireNonNull(job, "job"));
  }

  @Override
  public SignalResult signal(SignalRequest request) {
    return steps.signal(Objects.requireNonNull(request, "request"));
  }

  /**
   * Locks the job, then suspends it in a second statement of the same transaction, whose snapshot
   * sees every signal stored before the lock (see {@code suspend_lock.sql}).
   */
  @Override
  public FencedResult suspend(SuspendRequest request) {
    return steps.suspend(Objects.requireNonNull(request, "request"));
  }

  @Override
  public AlertOpenResult openAlert(AlertOpenRequest request) {
    return ops.open(Objects.requireNonNull(request, "request"));
  }

  @Override
  public AlertUpdateResult updateAlert(AlertUpdateRequest request) {
    return ops.update(Objects.requireNonNull(request, "request"));
  }

  @Override
  public Optional<StoredAlert> findAlert(UUID id) {
    return ops.find(Objects.requireNonNull(id, "id"));
  }

  @Override
  public AlertPage listAlerts(AlertListRequest request) {
    return ops.list(Objects.requireNonNull(request, "request"));
  }

  @Override
  public long pruneAlerts(AlertPruneRequest request) {
    return ops.prune(Objects.requireNonNull(request, "request"));
  }

  @Override
  public StoredSample writeSample(SampleWriteRequest request) {
    return ops.writeSample(Objects.requireNonNull(request, "request"));
  }

  @Override
  public List<StoredSample> samples(SampleListRequest request) {
    return ops.samples(Objects.requireNonNull(request, "request"));
  }

  @Override
  public Subscription subscribe(WakeupListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (!notifications) {
      return () -> {};
    }
    return this.listener.subscribe(listener);
  }

  /** True while the LISTEN connection is up; false before the first subscription. */
  public boolean isListening() {
    return listener.isConnected();
  }

  @Override
  public PingResult ping() {
    return db.autoCommit(
        "ping",
        c -> {
          try (Statement st = c.createStatement();
              ResultSet rs = st.executeQuery("SELECT now(), current_setting('server_version')")) {
            rs.next();
            return new PingResult(
                rs.getObject(1, OffsetDateTime.class).toInstant(), "PostgreSQL " + rs.getString(2));
          }
        });
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    listener.close();
    if (ownedPool != null) {
      try {
        ownedPool.close();
      } catch (Exception e) {
        LOG.warn("closing the connection pool of the PostgreSQL backend failed", e);
      }
    }
  }

  /**
   * Configures a {@link PostgresBackend}. Each option may be set once; {@link #build()} checks the
   * combination, migrates (or validates) the schema and returns a ready backend.
   */
  public static final class Builder {
    private DataSource dataSource;
    private Jdbi jdbi;
    private String schema;
    private Boolean migrateOnStart;
    private Boolean notificationsOption;
    private boolean notifications = true;
    private Boolean asynchronousWorkerCommitsOption;
    private boolean asynchronousWorkerCommits = true;
    private Duration reconnectInitial;
    private Duration reconnectMax;
    private String description = "(application data source)";
    private String secret;
    private ListenConnection.Opener listenOpener;
    private AutoCloseable ownedPool;

    private Builder() {}

    /** The application's pool; the backend borrows connections and never closes it. */
    public Builder dataSource(DataSource dataSource) {
      requireUnset("dataSource", this.dataSource);
      requireUnset("jdbi", this.jdbi);
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /** The application's Jdbi; the backend opens handles from it and never closes its pool. */
    public Builder jdbi(Jdbi jdbi) {
      requireUnset("jdbi", this.jdbi);
      requireUnset("dataSource", this.dataSource);
      this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
      return this;
    }

    /**
     * The schema holding Keel's tables (default {@code keel}): 1 to 48 characters of lower-case
     * letters, digits and {@code _}, not starting with a digit.
     */
    public Builder schema(String schema) {
      requireUnset("schema", this.schema);
      new SchemaName(schema);
      this.schema = schema;
      return this;
    }

    /**
     * Whether {@link #build()} applies missing migrations (default true). When false, {@link
     * #build()} fails with {@link SchemaMismatchException} unless the schema is current.
     */
    public Builder migrateOnStart(boolean migrateOnStart) {
      requireUnset("migrateOnStart", this.migrateOnStart);
      this.migrateOnStart = migrateOnStart;
      return this;
    }

    /**
     * Whether writes send {@code NOTIFY} and {@link #subscribe} listens (default true). Off,
     * workers rely on polling alone, and writes skip the commit-time notification queue.
     */
    public Builder notifications(boolean enabled) {
      requireUnset("notifications", this.notificationsOption);
      this.notificationsOption = enabled;
      return this;
    }

    /**
     * Whether the transactions of workers' own changes (claim, heartbeat, progress and every
     * finish) commit with {@code synchronous_commit = off} (default true). They then return without
     * waiting for their WAL to reach the disk, which takes a disk flush off every job's path: at
     * 500 jobs/s on a 2-core machine the median enqueue-to-start time fell from about 4.7 to 2.5
     * ms, and a claim no longer waits behind a checkpoint's writes.
     *
     * <p>The cost: if the database server crashes, the last moments of these changes (at most three
     * times {@code wal_writer_delay}, 0.6 s by default) may be lost. A lost claim puts the job back
     * to PENDING, a lost heartbeat shortens a lease, a lost result leaves the job RUNNING until its
     * lease expires and it is rescued: in every case the job runs again, which is what
     * at-least-once already means for a worker that crashes after its handler ran and before its
     * result was stored. The lease token still fences the worker that held the lost lease. Enqueues
     * and every client operation (cancel, re-drive, transactional enqueue) keep the session's
     * setting, so an acknowledged job is never lost. False keeps the session's setting everywhere.
     */
    public Builder asynchronousWorkerCommits(boolean enabled) {
      requireUnset("asynchronousWorkerCommits", this.asynchronousWorkerCommitsOption);
      this.asynchronousWorkerCommitsOption = enabled;
      this.asynchronousWorkerCommits = enabled;
      return this;
    }

    /** Backoff of the LISTEN connection's reconnects: first wait and cap (default 100 ms, 5 s). */
    public Builder listenReconnectBackoff(Duration initial, Duration max) {
      requireUnset("listenReconnectBackoff", this.reconnectInitial);
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(max, "max");
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new KeelConfigurationException(
            "listenReconnectBackoff: initial must be positive and max at least initial, got "
                + initial
                + " and "
                + max);
      }
      this.reconnectInitial = initial;
      this.reconnectMax = max;
      return this;
    }

    /**
     * Used by the provider: a pool the backend owns, its masked URL and a dedicated LISTEN opener.
     */
    Builder ownedPool(BoundedConnectionPool pool, String maskedUrl, String password) {
      this.ownedPool = pool;
      this.description = maskedUrl;
      this.secret = password;
      this.listenOpener =
          () -> {
            Connection c = pool.openUnpooled();
            return new ListenConnection(c, c::close);
          };
      return this;
    }

    /**
     * Builds the backend and migrates or validates its schema.
     *
     * @throws KeelConfigurationException if neither or both of dataSource and jdbi are set, or the
     *     schema is not current and migrateOnStart is off
     * @throws dev.keel.queue.BackendUnavailableException if the database cannot be reached
     */
    public PostgresBackend build() {
      if (dataSource == null && jdbi == null) {
        throw new KeelConfigurationException("dataSource/jdbi: set one of them, got neither");
      }
      if (schema == null) {
        schema = "keel";
      }
      if (notificationsOption != null) {
        notifications = notificationsOption;
      }
      if (reconnectInitial == null) {
        reconnectInitial = Duration.ofMillis(100);
        reconnectMax = Duration.ofSeconds(5);
      }
      PostgresBackend backend = new PostgresBackend(this);
      try {
        return backend.start(migrateOnStart == null || migrateOnStart);
      } catch (RuntimeException e) {
        backend.close();
        throw e;
      }
    }

    private static void requireUnset(String option, Object current) {
      if (current != null) {
        throw new KeelConfigurationException(option + " was already set to " + current);
      }
    }
  }
}
