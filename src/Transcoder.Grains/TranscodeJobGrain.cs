using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Transcoder.Abstractions;
using Transcoder.Storage;

namespace Transcoder.Grains;

/// <summary>
/// Owns one job. Its persisted state is the truth; the <c>transcode_jobs</c> row is a projection written on
/// every change of status. Each attempt gets a fresh run id (a fencing token): reports from any other run are
/// refused, so a run presumed dead that reports late cannot publish a second set of outputs.
/// A reminder keeps a live job driven even if every silo that knew it went away.
/// </summary>
public sealed class TranscodeJobGrain : Grain, ITranscodeJobGrain, IRemindable
{
    private const string WatchdogReminder = "watchdog";

    private readonly IPersistentState<JobState> _state;
    private readonly IJobRecordRepository _records;
    private readonly IObjectStore _store;
    private readonly IWorkerSelector _workers;
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
        IWorkerSelector workers,
        IOptions<JobOptions> options,
        TimeProvider time,
        ILogger<TranscodeJobGrain> logger)
    {
        _state = state;
        _records = records;
        _store = store;
        _workers = workers;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    private JobSnapshot? Job => _state.State.Job;

    private Guid JobId => this.GetPrimaryKey();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A run may be going on elsewhere: give it a full lease to report before presuming it lost.
        _lastHeartbeat = _time.GetUtcNow();
        _stream = this.GetStreamProvider(JobStreams.ProviderName)
            .GetStream<JobProgressEvent>(StreamId.Create(JobStreams.Namespace, JobId));
        if (Job is { } job && !job.Status.IsTerminal())
        {
            StartWatchdog();
        }

        return Task.CompletedTask;
    }

    public async Task<JobSnapshot> SubmitAsync(JobSpec spec)
    {
        if (Job is { } existing)
        {
            if (existing.Tenant == spec.Tenant && existing.Input == spec.Input && existing.Priority == spec.Priority)
            {
                return existing;
            }

            throw new JobConflictException($"Job {JobId} already exists with a different request.");
        }

        var now = _time.GetUtcNow();
        _state.State.Job = new JobSnapshot
        {
            Id = JobId,
            Tenant = spec.Tenant,
            Input = spec.Input,
            Priority = spec.Priority,
            Status = JobStatus.Queued,
            Stage = JobStages.Queued,
            CreatedAt = now,
            UpdatedAt = now,
        };

        // The job is acknowledged once this write is durable; everything after it can be redone.
        await _state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(WatchdogReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await ProjectAsync();
        await PublishAsync();
        Log.JobSubmitted(_logger, JobId, spec.Tenant, spec.Priority);

        StartWatchdog();
        await TryDispatchAsync();
        return Job!;
    }

    public Task<JobSnapshot?> GetAsync() => Task.FromResult(Job);

    public async Task<JobSnapshot?> CancelAsync()
    {
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
            Error = null,
        });
        Log.JobCompleted(_logger, JobId, job.Tenant, output.Renditions.Length);
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
        if (retryable && job.Attempts < _options.MaxAttempts)
        {
            await RequeueAsync(job, error);
        }
        else
        {
            await EndAsync(job with { Status = JobStatus.Failed, Stage = JobStages.Done, CompletedAt = _time.GetUtcNow(), Error = error });
        }

        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Job is not { } job || job.Status.IsTerminal())
        {
            await UnregisterWatchdogReminderAsync();
            return;
        }

        await CheckAsync();
    }

    private bool IsCurrent(Guid runId) => _state.State.CurrentRun == runId && Job is { } job && !job.Status.IsTerminal();

    /// <summary>Hands the job to a worker if it is queued and its backoff has passed.</summary>
    private async Task TryDispatchAsync()
    {
        if (Job is not { Status: JobStatus.Queued } job || _state.State.NotBefore > _time.GetUtcNow())
        {
            return;
        }

        var worker = await _workers.PickAsync(job);
        if (worker is null)
        {
            return; // No capacity now; the watchdog tries again.
        }

        var runId = Guid.NewGuid();
        var now = _time.GetUtcNow();
        _state.State.CurrentRun = runId;
        _state.State.CurrentWorker = worker.Key;
        _state.State.NotBefore = null;
        _state.State.Job = job with
        {
            Status = JobStatus.Processing,
            Stage = JobStages.Downloading,
            Progress = 0,
            Attempts = job.Attempts + 1,
            StartedAt = job.StartedAt ?? now,
            ProcessingNode = worker.Node,
            UpdatedAt = now,
        };

        // Persist the run id before the worker can report with it.
        await _state.WriteStateAsync();
        _lastHeartbeat = now;
        try
        {
            await GrainFactory.GetGrain<ITranscodeWorkerGrain>(worker.Key)
                .StartAsync(new WorkItem(JobId, runId, Job!.Attempts, job.Tenant, job.Input));
            Log.RunStarted(_logger, JobId, job.Tenant, runId, worker.Node, Job.Attempts);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The worker is gone or refused: the attempt did not start, so it does not count.
            Log.DispatchFailed(_logger, JobId, worker.Node, ex);
            _state.State.CurrentRun = null;
            _state.State.CurrentWorker = null;
            _state.State.Job = Job with { Status = JobStatus.Queued, Stage = JobStages.Queued, Attempts = job.Attempts };
            await _state.WriteStateAsync();
        }

        await ProjectAsync();
        await PublishAsync();
    }

    private async Task RequeueAsync(JobSnapshot job, JobError error)
    {
        var delay = Backoff(job.Attempts);
        _state.State.CurrentRun = null;
        _state.State.CurrentWorker = null;
        _state.State.NotBefore = _time.GetUtcNow() + delay;
        // The failed run's outputs are gone with it: the job is not playable until a new run says so.
        _state.State.Job = job with
        {
            Status = JobStatus.Queued,
            Stage = JobStages.Queued,
            Progress = 0,
            Error = error,
            PlayableAt = null,
            HlsKey = null,
            DashKey = null,
            UpdatedAt = _time.GetUtcNow(),
        };
        await _state.WriteStateAsync();
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
        await ProjectAsync();
        await PublishAsync();
        _watchdog?.Dispose();
        _watchdog = null;
        await UnregisterWatchdogReminderAsync();
        if (ended.Status is JobStatus.Failed or JobStatus.Canceled)
        {
            await RemoveObjectsAsync(ended);
        }
    }

    /// <summary>
    /// A job that ended without output keeps nothing in the bucket, not even its uploaded source. Runs remove
    /// their own partial outputs; this catches the rest. Best effort: a failure is logged, not retried.
    /// </summary>
    private async Task RemoveObjectsAsync(JobSnapshot job)
    {
        try
        {
            await _store.DeletePrefixAsync(ObjectKeys.JobPrefix(job.Tenant, job.Id), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.CleanupFailed(_logger, ObjectKeys.JobPrefix(job.Tenant, job.Id), ex);
        }
    }

    /// <summary>Periodic check of a live job: dispatch when queued, presume a silent run lost.</summary>
    private async Task CheckAsync()
    {
        if (Job is not { } job || job.Status.IsTerminal())
        {
            return;
        }

        if (_recordStale)
        {
            await ProjectAsync();
        }

        if (job.Status == JobStatus.Queued)
        {
            await TryDispatchAsync();
            return;
        }

        if (_time.GetUtcNow() - _lastHeartbeat > _options.LeaseTimeout && _state.State.CurrentRun is { } lostRun)
        {
            Log.RunLost(_logger, JobId, job.Tenant, lostRun, job.ProcessingNode);
            var error = new JobError(JobErrorCodes.WorkerLost, $"The worker on {job.ProcessingNode} stopped reporting.");
            if (_state.State.CurrentWorker is { } worker)
            {
                await StopRunAsync(worker, lostRun);
            }

            await ReportFailedAsync(lostRun, error, retryable: true);
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

    private async Task UnregisterWatchdogReminderAsync()
    {
        if (await this.GetReminder(WatchdogReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Writes the job's row. A failure is retried by the watchdog; the grain state stays the truth.</summary>
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
