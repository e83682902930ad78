using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Transcoder.Abstractions;
using Transcoder.Storage;

namespace Transcoder.Grains;

/// <summary>
/// Owns one job. Its persisted state is the truth; the <c>transcode_jobs</c> row is a projection written on
/// every change of status. Until the job ends it has a row in the durable queue (<see cref="IJobQueue"/>),
/// which is what drives it: silos with a free slot claim queued jobs and ask the grain to start an attempt,
/// and a claim whose silo dies runs out and is claimed again, so no job is left behind even if every silo that
/// knew it went away; no reminders are needed. Each attempt gets a fresh run id (a fencing token): reports from
/// any other run are refused, so a run presumed dead that reports late cannot publish a second set of outputs.
/// </summary>
public sealed class TranscodeJobGrain : Grain, ITranscodeJobGrain, IIncomingGrainCallFilter
{
    private readonly IPersistentState<JobState> _state;
    private readonly IJobRecordRepository _records;
    private readonly IObjectStore _store;
    private readonly IJobQueue _queue;
    private readonly JobDispatcher _dispatcher;
    private readonly JobIntake _intake;
    private readonly JobMetrics _metrics;
    private readonly JobOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TranscodeJobGrain> _logger;
    private IAsyncStream<JobProgressEvent>? _stream;
    private IGrainTimer? _watchdog;
    private DateTimeOffset _lastHeartbeat;
    private DateTimeOffset _lastProgressPersisted;
    private bool _recordStale;

    public TranscodeJobGrain(
        [PersistentState("job", "jobs")] IPersistentState<JobState> state,
        IJobRecordRepository records,
        IObjectStore store,
        IJobQueue queue,
        JobDispatcher dispatcher,
        JobIntake intake,
        JobMetrics metrics,
        IOptions<JobOptions> options,
        TimeProvider time,
        ILogger<TranscodeJobGrain> logger)
    {
        _state = state;
        _records = records;
        _store = store;
        _queue = queue;
        _dispatcher = dispatcher;
        _intake = intake;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    private JobSnapshot? Job => _state.State.Job;

    private Guid JobId => this.GetPrimaryKey();

    /// <summary>
    /// A call that failed (storage unreachable, say) may have changed the state in memory without making the
    /// change durable: the activation is dropped after it, so the next call starts from what storage holds.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        using var scope = JobLogScope.Begin(_logger, JobId, () => Job?.Tenant);
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (ex is not JobConflictException)
        {
            DeactivateOnIdle();
            throw;
        }
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A run may be going on elsewhere: give it a full lease to report before presuming it lost.
        _lastHeartbeat = _time.GetUtcNow();
        _stream = this.GetStreamProvider(JobStreams.ProviderName)
            .GetStream<JobProgressEvent>(StreamId.Create(JobStreams.Namespace, JobId));
        if (Job is { Status: JobStatus.Processing })
        {
            StartWatchdog();
        }

        return Task.CompletedTask;
    }

    public async Task<JobSnapshot> SubmitAsync(JobSpec spec)
    {
        await AdoptRowAsync();
        if (Job is { } existing)
        {
            if (JobIntake.SameRequest(existing, _intake.Resolved(spec)))
            {
                return existing;
            }

            throw new JobConflictException($"Job {JobId} already exists with a different request.");
        }

        // Through the silo's intake, like submissions from the API; its commit is the acknowledgement.
        _state.State.Job = await _intake.SubmitAsync(JobId, spec);
        return Job!;
    }

    public async Task<JobSnapshot?> GetAsync()
    {
        await AdoptRowAsync();
        return Job;
    }

    public async Task<JobSnapshot?> CancelAsync()
    {
        await AdoptRowAsync();
        if (Job is not { } job || job.Status.IsTerminal())
        {
            return Job;
        }

        // Stop the run first (bounded wait) so it has removed its partial outputs before the job's prefix is
        // cleared; its reports queue behind this call and are refused once the job has ended.
        if (_state.State.CurrentRun is { } runId && _state.State.CurrentWorker is { } worker)
        {
            await StopRunAsync(worker, runId);
        }

        await EndAsync(job with { Status = JobStatus.Canceled, Stage = JobStages.Done, CompletedAt = _time.GetUtcNow() });
        Log.JobCanceled(_logger, JobId, job.Tenant);
        return Job;
    }

    public async Task<JobSnapshot?> RetryAsync()
    {
        await AdoptRowAsync();
        if (Job is not { DeadLetteredAt: not null } job)
        {
            return Job;
        }

        // A fresh set of attempts, starting now; the last error stays visible until the next run reports.
        var now = _time.GetUtcNow();
        _state.State.NotBefore = null;
        _state.State.Job = job with
        {
            Status = JobStatus.Queued,
            Stage = JobStages.Queued,
            Progress = 0,
            Attempts = 0,
            DeadLetteredAt = null,
            CompletedAt = null,
            UpdatedAt = now,
        };
        await QueueAsync(_state.State.Job);
        Log.JobRetried(_logger, JobId, job.Tenant);
        return Job;
    }

    /// <summary>
    /// A job submitted through the <see cref="JobIntake"/> has only its row (and queue row) until its first
    /// change: while the grain has no state of its own, the row is the job. It is read again on every call until
    /// then, since the job may be submitted after this grain activated (a read of an id not yet taken).
    /// </summary>
    private async Task AdoptRowAsync()
    {
        if (Job is null && !_state.RecordExists)
        {
            _state.State.Job = await _records.FindAsync(JobId, CancellationToken.None);
        }
    }

    /// <summary>
    /// Puts a queued job in the queue, then writes its state: the job is acknowledged once both are durable. A
    /// queue row whose state was never written is dropped by the silo that claims it (StartRunAsync finds no job).
    /// </summary>
    private async Task QueueAsync(JobSnapshot job)
    {
        await _queue.EnqueueAsync(JobId, job.Tenant, job.Priority, CancellationToken.None);
        await _state.WriteStateAsync();
        await ProjectAsync();
        await PublishAsync();
        _dispatcher.Nudge();
    }

    public async Task<WorkItem?> StartRunAsync(string worker, string node)
    {
        await AdoptRowAsync();
        if (Job is not { } job || job.Status.IsTerminal())
        {
            return null;
        }

        if (job.Status == JobStatus.Processing && _state.State.CurrentRun is { } previous)
        {
            // The queue handed the job out again: the silo running it stopped renewing its claim (it died or lost
            // touch with the database). That attempt is presumed lost; its late reports will be refused.
            Log.RunLost(_logger, JobId, job.Tenant, previous, job.ProcessingNode);
            if (_state.State.CurrentWorker is { } lostWorker && lostWorker != worker)
            {
                _ = StopRunAsync(lostWorker, previous);
            }

            // What the lost run published live goes; if it is in fact still running, it removes the rest
            // itself once its report is refused.
            await RemoveRunObjectsAsync(job, previous);

            if (job.Attempts >= MaxAttempts(job))
            {
                await FailAsync(job, new JobError(JobErrorCodes.WorkerLost, $"The worker on {job.ProcessingNode} stopped holding the job."), retryable: true);
                return null;
            }
        }

        var runId = Guid.NewGuid();
        var now = _time.GetUtcNow();
        _state.State.CurrentRun = runId;
        _state.State.CurrentWorker = worker;
        _state.State.NotBefore = null;
        _state.State.Job = job with
        {
            Status = JobStatus.Processing,
            Stage = JobStages.Downloading,
            Progress = 0,
            Attempts = job.Attempts + 1,
            StartedAt = job.StartedAt ?? now,
            ProcessingNode = node,
            UpdatedAt = now,
        };

        // Persisted before the run exists, so its first report is recognised.
        await _state.WriteStateAsync();
        _lastHeartbeat = now;
        StartWatchdog();
        await ProjectAsync();
        await PublishAsync();
        Log.RunStarted(_logger, JobId, job.Tenant, runId, node, Job!.Attempts);
        return new WorkItem(JobId, runId, Job.Attempts, job.Tenant, job.Input);
    }

    public async Task HandBackAsync(Guid runId)
    {
        if (!IsCurrent(runId) || Job is not { } job)
        {
            return;
        }

        await ReturnToQueueAsync(job with { Attempts = Math.Max(0, job.Attempts - 1) }, _time.GetUtcNow());
        Log.RunHandedBack(_logger, JobId, job.Tenant, runId);
    }

    public async Task ReportProgressAsync(Guid runId, double percent, string stage)
    {
        if (!IsCurrent(runId) || Job is not { } job)
        {
            return;
        }

        _lastHeartbeat = _time.GetUtcNow();
        var clamped = Math.Clamp(Math.Round(percent, 1), 0, 99.9);
        if (clamped < job.Progress && stage == job.Stage)
        {
            // Progress only moves forward within a stage; reports can overtake each other.
            return;
        }

        _state.State.Job = job with { Progress = Math.Max(clamped, job.Progress), Stage = stage, UpdatedAt = _lastHeartbeat };
        await PublishAsync();
        if (_lastHeartbeat - _lastProgressPersisted >= _options.ProgressPersistInterval)
        {
            _lastProgressPersisted = _lastHeartbeat;
            await ProjectAsync();
        }
    }

    public async Task ReportPlayableAsync(Guid runId, string hlsKey, string dashKey)
    {
        if (!IsCurrent(runId) || Job is not { } job || job.PlayableAt is not null)
        {
            return;
        }

        _lastHeartbeat = _time.GetUtcNow();
        _state.State.Job = job with { PlayableAt = _lastHeartbeat, HlsKey = hlsKey, DashKey = dashKey, UpdatedAt = _lastHeartbeat };
        await _state.WriteStateAsync();
        await ProjectAsync();
        await PublishAsync();
    }

    public async Task<bool> ReportCompletedAsync(Guid runId, TranscodeOutput output)
    {
        if (!IsCurrent(runId) || Job is not { } job)
        {
            Log.StaleReport(_logger, JobId, runId);
            return false;
        }

        await EndAsync(job with
        {
            Status = JobStatus.Completed,
            Stage = JobStages.Done,
            Progress = 100,
            CompletedAt = _time.GetUtcNow(),
            PlayableAt = job.PlayableAt ?? _time.GetUtcNow(),
            Renditions = output.Renditions,
            HlsKey = output.HlsKey,
            DashKey = output.DashKey,
            Cost = output.Cost,
            PosterKey = output.PosterKey,
            StoryboardKey = output.StoryboardKey,
            ContentHash = output.ContentHash,
            LadderHash = output.LadderHash,
            ReusedFrom = output.ReusedFrom,
            Error = null,
        });
        Log.JobCompleted(_logger, JobId, job.Tenant, output.Renditions.Length);
        _metrics.Completed(output.Cost);
        return true;
    }

    public async Task<bool> ReportFailedAsync(Guid runId, JobError error, bool retryable)
    {
        if (!IsCurrent(runId) || Job is not { } job)
        {
            Log.StaleReport(_logger, JobId, runId);
            return false;
        }

        Log.RunFailed(_logger, JobId, job.Tenant, job.Attempts, error.Code, error.Message, retryable);
        await FailAsync(job, error, retryable);
        return true;
    }

    private int MaxAttempts(JobSnapshot job) => job.MaxAttempts ?? _options.MaxAttempts;

    /// <summary>After a failed attempt: wait and retry, or end the job (a dead letter if another try might pass).</summary>
    private async Task FailAsync(JobSnapshot job, JobError error, bool retryable)
    {
        if (retryable && job.Attempts < MaxAttempts(job))
        {
            await RequeueAsync(job, error);
            _metrics.Retried(error.Code);
            return;
        }

        // Out of attempts on a failure that might pass another time: a dead letter, which an operator (or the
        // tenant) can retry. A permanent failure (bad input) would only fail again, so it just fails.
        var now = _time.GetUtcNow();
        await EndAsync(job with { Status = JobStatus.Failed, Stage = JobStages.Done, CompletedAt = now, Error = error, DeadLetteredAt = retryable ? now : null });
        _metrics.Failed(error.Code, deadLettered: retryable);
        if (retryable)
        {
            Log.JobDeadLettered(_logger, JobId, job.Tenant, job.Attempts, error.Code);
        }
    }

    private bool IsCurrent(Guid runId) => _state.State.CurrentRun == runId && Job is { } job && !job.Status.IsTerminal();

    private Task RequeueAsync(JobSnapshot job, JobError error) =>
        ReturnToQueueAsync(job with { Error = error }, _time.GetUtcNow() + Backoff(job.Attempts));

    /// <summary>Ends the current attempt and puts the job back in the queue, to be claimed from <paramref name="readyAt"/> on.</summary>
    private async Task ReturnToQueueAsync(JobSnapshot job, DateTimeOffset readyAt)
    {
        _state.State.CurrentRun = null;
        _state.State.CurrentWorker = null;
        _state.State.NotBefore = readyAt;

        // The attempt's outputs are gone with it: the job is not playable until a new run says so.
        _state.State.Job = job with
        {
            Status = JobStatus.Queued,
            Stage = JobStages.Queued,
            Progress = 0,
            PlayableAt = null,
            HlsKey = null,
            DashKey = null,
            UpdatedAt = _time.GetUtcNow(),
        };
        await _state.WriteStateAsync();
        await _queue.ReleaseAsync(JobId, readyAt, CancellationToken.None);
        StopWatchdog();
        await ProjectAsync();
        await PublishAsync();
    }

    /// <summary>Exponential backoff from the base delay, with up to 25% jitter so retries do not synchronise.</summary>
    internal TimeSpan Backoff(int attempts)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 16);
        var delay = _options.RetryBaseDelay * Math.Pow(2, exponent);
        return delay * (1 + (Random.Shared.NextDouble() * 0.25));
    }

    private async Task EndAsync(JobSnapshot ended)
    {
        _state.State.Job = ended with { UpdatedAt = _time.GetUtcNow() };
        _state.State.CurrentRun = null;
        _state.State.CurrentWorker = null;
        _state.State.NotBefore = null;
        await _state.WriteStateAsync();
        await RemoveFromQueueAsync();
        await ProjectAsync();
        await PublishAsync();
        StopWatchdog();
        if (ended.Status is JobStatus.Failed or JobStatus.Canceled)
        {
            await RemoveObjectsAsync(ended, keepSource: ended.DeadLetteredAt is not null);
        }
    }

    /// <summary>
    /// A job that ended without output keeps nothing in the bucket, not even its uploaded source, unless it is a
    /// dead letter that may be retried. Runs remove their own partial outputs; this catches the rest. Best
    /// effort: a failure is logged, not retried.
    /// </summary>
    private async Task RemoveObjectsAsync(JobSnapshot job, bool keepSource)
    {
        var source = ObjectKeys.Source(job.Tenant, job.Id);
        try
        {
            await _store.DeletePrefixAsync(ObjectKeys.JobPrefix(job.Tenant, job.Id), CancellationToken.None,
                keep: keepSource ? key => key == source : null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.CleanupFailed(_logger, ObjectKeys.JobPrefix(job.Tenant, job.Id), ex);
        }
    }

    /// <summary>
    /// Periodic: writes the job's row again if the last write failed, and presumes a run that stopped
    /// reporting lost. Stops itself once there is neither to do.
    /// </summary>
    private async Task CheckAsync()
    {
        if (_recordStale)
        {
            await ProjectAsync();
        }

        if (Job is not { Status: JobStatus.Processing } job)
        {
            StopWatchdog();
            return;
        }

        if (_time.GetUtcNow() - _lastHeartbeat > _options.LeaseTimeout
            && _state.State.CurrentRun is { } lostRun)
        {
            Log.RunLost(_logger, JobId, job.Tenant, lostRun, job.ProcessingNode);
            var error = new JobError(JobErrorCodes.WorkerLost, $"The worker on {job.ProcessingNode} stopped reporting.");
            if (_state.State.CurrentWorker is { } worker)
            {
                await StopRunAsync(worker, lostRun);
            }

            await RemoveRunObjectsAsync(job, lostRun);
            await ReportFailedAsync(lostRun, error, retryable: true);
        }
    }

    /// <summary>
    /// Takes an ended job out of the queue. If that fails the row stays, and the silo that next claims it drops
    /// it (StartRunAsync returns null for an ended job).
    /// </summary>
    private async Task RemoveFromQueueAsync()
    {
        try
        {
            await _queue.RemoveAsync(JobId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.QueueUpdateFailed(_logger, JobId, ex);
        }
    }

    private async Task RemoveRunObjectsAsync(JobSnapshot job, Guid runId)
    {
        var prefix = ObjectKeys.Run(job.Tenant, job.Id, runId);
        try
        {
            await _store.DeletePrefixAsync(prefix, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.CleanupFailed(_logger, prefix, ex);
        }
    }

    private async Task StopRunAsync(string worker, Guid runId)
    {
        try
        {
            await GrainFactory.GetGrain<ITranscodeWorkerGrain>(worker).CancelAsync(JobId, runId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The worker's silo may be gone, and its run with it; the run's late reports are refused anyway.
            Log.StopFailed(_logger, JobId, worker, ex);
        }
    }

    private void StartWatchdog()
    {
        _watchdog ??= this.RegisterGrainTimer(
            _ => CheckAsync(),
            new GrainTimerCreationOptions { DueTime = _options.WatchdogPeriod, Period = _options.WatchdogPeriod, KeepAlive = true });
    }

    /// <summary>Stops the watchdog, unless the job's row is stale: the watchdog writes it again until that works.</summary>
    private void StopWatchdog()
    {
        if (_recordStale)
        {
            return;
        }

        _watchdog?.Dispose();
        _watchdog = null;
    }

    /// <summary>
    /// Writes the job's row. A failure is retried by the watchdog, whatever the job's status (an ended job's
    /// last write matters most); the grain state stays the truth.
    /// </summary>
    private async Task ProjectAsync()
    {
        if (Job is not { } job)
        {
            return;
        }

        try
        {
            await _records.UpsertAsync(job, CancellationToken.None);
            _recordStale = false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _recordStale = true;
            StartWatchdog();
            Log.ProjectionFailed(_logger, JobId, ex);
        }
    }

    private async Task PublishAsync()
    {
        if (Job is not { } job || _stream is null)
        {
            return;
        }

        try
        {
            await _stream.OnNextAsync(JobProgressEvent.From(job, _time.GetUtcNow()));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.PublishFailed(_logger, JobId, ex);
        }
    }
}
