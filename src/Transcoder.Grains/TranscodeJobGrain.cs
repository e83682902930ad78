using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Transcoder.Abstractions;
using Transcoder.Grains.Lifecycle;
using Transcoder.ServiceDefaults;
using Transcoder.Storage;

namespace Transcoder.Grains;

/// <summary>
/// Coordinates one job: loads its state, lets <see cref="JobLifecycle"/> decide what each call or silent run does to
/// it, and applies the decision's effects in one write sequence (<see cref="ApplyAsync"/>). Its persisted state is the
/// truth; the jobs row is the projection it writes. A waiting item's row in the queue is what drives the job: silos
/// with a free slot claim it and ask the grain to start a run, and a claim whose silo dies runs out and is claimed
/// again, so no job is left behind even if every silo that knew it went away.
/// </summary>
public sealed class TranscodeJobGrain(
    [PersistentState("job-plan", GrainStorage.Jobs)] IPersistentState<JobGrainState> state,
    IJobRecordRepository rows,
    IWorkQueue queue,
    IObjectStore store,
    JobMetrics metrics,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<TranscodeJobGrain> logger) : Grain, ITranscodeJobGrain, IIncomingGrainCallFilter
{
    private readonly JobOptions _options = options.Value;

    // When each running item's current run last reported (in memory: a new activation gives every run a full timeout).
    private readonly Dictionary<Guid, DateTimeOffset> _lastHeard = [];
    private IAsyncStream<JobProgressEvent>? _stream;
    private IGrainTimer? _watchdog;
    private DateTimeOffset _lastProgressProjected;
    private bool _rowStale;

    private JobState? Job => state.State.Job;

    private Guid JobId => this.GetPrimaryKey();

    /// <summary>
    /// A call that failed (storage unreachable, say) may have changed the state in memory without making the
    /// change durable: the activation is dropped after it, so the next call starts from what storage holds.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        using var scope = JobLogScope.Begin(logger, JobId, () => Job?.Spec.Tenant);
        try
        {
            await context.Invoke();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(JobStreams.ProviderName).GetStream<JobProgressEvent>(StreamId.Create(JobStreams.Namespace, JobId));
        UpdateWatchdog();
        return Task.CompletedTask;
    }

    public async Task<JobView?> GetAsync()
    {
        await LoadAsync();
        return View();
    }

    public async Task<JobView?> CancelAsync()
    {
        await DecideAsync(new CancelRequested());
        return View();
    }

    public async Task<JobView?> RetryAsync()
    {
        await DecideAsync(new RetryRequested());
        return View();
    }

    public async Task<WorkAssignment?> StartRunAsync(WorkClaim claim) =>
        (await DecideAsync(new WorkClaimed(claim, Guid.NewGuid()))).Assignment;

    public Task HandBackAsync(WorkRun run) => DecideAsync(new RunHandedBack(run));

    public Task ReportProgressAsync(WorkRun run, double percent, string stage) => DecideAsync(new RunProgressed(run, percent, stage));

    public Task ReportPlayableAsync(WorkRun run, string hlsKey, string dashKey) => DecideAsync(new RunPlayable(run, hlsKey, dashKey));

    public async Task<bool> ReportCompletedAsync(WorkRun run, JobOutputs outputs) => (await DecideAsync(new RunCompleted(run, outputs))).Accepted;

    public async Task<bool> ReportFailedAsync(WorkRun run, JobError error, bool retryable) => (await DecideAsync(new RunFailed(run, error, retryable))).Accepted;

    public async Task<ChunkSplit?> SplitAsync(WorkRun run, ChunkSplit split)
    {
        var decision = await DecideAsync(new SplitRequested(run, split with { PackageId = Guid.NewGuid() }));
        return decision.Accepted ? decision.State?.Split : null;
    }

    public async Task<bool> ReportChunkAsync(WorkRun run, ChunkOutput output) => (await DecideAsync(new ChunkCompleted(run, output))).Accepted;

    public async Task<ImmutableArray<ChunkProgress>?> GetChunksAsync(WorkRun run)
    {
        await LoadAsync();
        var chunks = JobLifecycle.Chunks(Job, run);
        if (chunks is not null)
        {
            // The title run asks while it waits for its chunks: it is alive.
            _lastHeard[run.RunId] = time.GetUtcNow();
        }

        return chunks;
    }

    private JobView? View() => Job is { } job ? JobLifecycle.View(job) : null;

    private async Task<JobDecision> DecideAsync(JobEvent e)
    {
        await LoadAsync();
        var now = time.GetUtcNow();
        var decision = JobLifecycle.Decide(Job, e, new DecisionContext(now, Random.Shared.NextDouble(), _options.Rules));
        await ApplyAsync(decision);
        if (decision.Assignment is { } started)
        {
            _lastHeard[started.Run.RunId] = now;
        }
        else if (decision.Accepted && RunOf(e) is { } heard)
        {
            _lastHeard[heard.RunId] = now;
        }

        UpdateWatchdog();
        return decision;
    }

    /// <summary>
    /// A job submitted through the intake has only its row (and queue rows) until its first change: while the grain
    /// has no state of its own, the row is the job. It is read again on every call until then, since the job may be
    /// submitted after this grain activated (a read of an id not yet taken).
    /// </summary>
    private async Task LoadAsync()
    {
        if (Job is null && !state.RecordExists && await rows.FindAsync(JobId, CancellationToken.None) is { } row)
        {
            state.State.Job = JobLifecycle.Adopt(row);
        }
    }

    /// <summary>
    /// The one write sequence: stop runs (so they have removed what they wrote); queue items (before the state is
    /// saved, so a job is never saved as waiting without its queue row; a row whose state was never saved is dropped
    /// by the silo that claims it); save the state; dequeue items (after, so an ended job's leftover row is dropped by
    /// its next claimer); write the row; publish; remove objects; then logs and metrics.
    /// </summary>
    private async Task ApplyAsync(JobDecision decision)
    {
        var effects = decision.Effects;
        foreach (var stop in effects.OfType<StopRun>())
        {
            await StopRunAsync(stop);
        }

        state.State.Job = decision.State;
        if (decision.State is not { } job)
        {
            await DequeueAsync(effects.OfType<DequeueItems>());
            return;
        }

        foreach (var queued in effects.OfType<QueueItem>())
        {
            await queue.QueueAsync(JobId, queued.ItemId, job.Spec.Tenant, job.Spec.Priority, queued.ReadyAt, CancellationToken.None);
        }

        if (decision.Has<SaveState>())
        {
            await state.WriteStateAsync();
        }

        await DequeueAsync(effects.OfType<DequeueItems>());
        foreach (var row in effects.OfType<ProjectRow>())
        {
            await ProjectAsync(row.ProgressOnly);
        }

        if (decision.Has<PublishProgress>())
        {
            await PublishAsync();
        }

        foreach (var effect in effects)
        {
            switch (effect)
            {
                case DeleteRunOutputs run:
                    await DeleteQuietlyAsync(ObjectKeys.Run(job.Spec.Tenant, JobId, run.RunId));
                    break;
                case DeleteJobObjects all:
                    await DeleteJobObjectsAsync(job, all.KeepSource);
                    break;
                case JobNote note:
                    Record(job, note);
                    break;
            }
        }
    }

    private void Record(JobState job, JobNote note)
    {
        var tenant = job.Spec.Tenant;
        switch (note)
        {
            case RunStarted started:
                Log.RunStarted(logger, JobId, tenant, started.Run.ItemId, started.Run.RunId, started.Node, started.Attempt);
                break;
            case RunLost lost:
                Log.RunLost(logger, JobId, tenant, lost.Run.ItemId, lost.Run.RunId, lost.Node, lost.Reason);
                _lastHeard.Remove(lost.Run.RunId);
                break;
            case RunClaimedAgain again:
                Log.RunClaimedAgain(logger, JobId, tenant, again.Run.ItemId, again.Run.RunId, again.Node);
                break;
            case RetryScheduled retry:
                Log.RetryScheduled(logger, JobId, tenant, retry.Run.ItemId, retry.Attempts, retry.Error.Code, retry.Error.Message, retry.Delay);
                metrics.Retried(retry.Error.Code);
                break;
            case JobDeadLettered dead:
                Log.JobDeadLettered(logger, JobId, tenant, dead.Attempts, dead.Error.Code);
                metrics.Failed(dead.Error.Code, deadLettered: true);
                break;
            case JobFailed failed:
                Log.JobFailed(logger, JobId, tenant, failed.Error.Code, failed.Error.Message, failed.Attempts);
                metrics.Failed(failed.Error.Code, deadLettered: false);
                break;
            case JobCompleted completed:
                Log.JobCompleted(logger, JobId, tenant, completed.Outputs.Renditions.Length);
                metrics.Completed(completed.Outputs.Cost);
                break;
            case JobCanceled:
                Log.JobCanceled(logger, JobId, tenant);
                break;
            case JobRequeued:
                Log.JobRequeued(logger, JobId, tenant);
                break;
            case SplitPlanned split:
                Log.SplitPlanned(logger, JobId, tenant, split.Split.Count, split.Split.ChunkSeconds);
                break;
            case RunHandedBackNote handedBack:
                Log.RunHandedBack(logger, JobId, tenant, handedBack.Run.ItemId, handedBack.Run.RunId);
                break;
            case StaleReport stale:
                Log.StaleReport(logger, JobId, stale.Run.ItemId, stale.Run.RunId);
                break;
        }
    }

    private async Task StopRunAsync(StopRun stop)
    {
        _lastHeard.Remove(stop.Run.RunId);
        try
        {
            await GrainFactory.GetGrain<ITranscodeWorkerGrain>(stop.Worker).StopAsync(JobId, stop.Run);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The worker's silo may be gone, and its run with it; the run's late reports are refused anyway.
            Log.StopFailed(logger, JobId, stop.Run.RunId, stop.Worker, ex);
        }
    }

    /// <summary>
    /// Takes rows out of the queue. If that fails a row stays, and the silo that next claims it drops it (the
    /// decision on a claim of an ended job or finished item dequeues it).
    /// </summary>
    private async Task DequeueAsync(IEnumerable<DequeueItems> dequeues)
    {
        foreach (var dequeue in dequeues)
        {
            try
            {
                await queue.RemoveAsync(JobId, dequeue.ItemIds, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.QueueUpdateFailed(logger, JobId, ex);
            }
        }
    }

    /// <summary>
    /// Writes the job's row. Progress alone is written at most once per persist interval. A failure is retried by the
    /// watchdog, whatever the job's status (an ended job's last write matters most); the grain state stays the truth.
    /// </summary>
    private async Task ProjectAsync(bool progressOnly)
    {
        var now = time.GetUtcNow();
        if (Job is not { } job || (progressOnly && !_rowStale && now - _lastProgressProjected < _options.ProgressPersistInterval))
        {
            return;
        }

        try
        {
            await rows.UpsertAsync(JobLifecycle.View(job), CancellationToken.None);
            _lastProgressProjected = now;
            _rowStale = false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _rowStale = true;
            Log.ProjectionFailed(logger, JobId, ex);
        }
    }

    private async Task PublishAsync()
    {
        if (View() is not { } view || _stream is null)
        {
            return;
        }

        try
        {
            await _stream.OnNextAsync(JobProgressEvent.From(view));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.PublishFailed(logger, JobId, ex);
        }
    }

    /// <summary>
    /// A job that ended without a package keeps nothing in the bucket, not even its uploaded source unless it is a
    /// dead letter that may be retried. Runs remove their own partial outputs; this catches the rest. Best effort.
    /// </summary>
    private Task DeleteJobObjectsAsync(JobState job, bool keepSource)
    {
        var source = job.Spec.Input.Kind == JobInputKind.Upload ? job.Spec.Input.Location : null;
        return DeleteQuietlyAsync(ObjectKeys.JobPrefix(job.Spec.Tenant, JobId), keepSource ? key => key == source : null);
    }

    private async Task DeleteQuietlyAsync(string prefix, Func<string, bool>? keep = null)
    {
        try
        {
            await store.DeletePrefixAsync(prefix, CancellationToken.None, keep);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.CleanupFailed(logger, prefix, ex);
        }
    }

    /// <summary>
    /// Periodic while a run goes on or the row is stale: writes the row again if the last write failed, and presumes
    /// lost a run that stopped reporting.
    /// </summary>
    private async Task CheckAsync()
    {
        try
        {
            if (_rowStale)
            {
                await ProjectAsync(progressOnly: false);
            }

            var now = time.GetUtcNow();
            foreach (var item in Job?.Items.Where(i => i.Status == WorkItemStatus.Running).ToList() ?? [])
            {
                var run = new WorkRun(item.Id, item.RunId!.Value);
                if (now - _lastHeard.GetValueOrDefault(run.RunId, now) > _options.HeartbeatTimeout)
                {
                    await DecideAsync(new RunSilent(run));
                }
            }

            UpdateWatchdog();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.WatchdogFailed(logger, JobId, ex);
            DeactivateOnIdle();
        }
    }

    /// <summary>Runs the watchdog while an item runs or the row is stale; a new activation gives running runs a full timeout.</summary>
    private void UpdateWatchdog()
    {
        var running = Job?.Items.Where(i => i.Status == WorkItemStatus.Running).Select(i => i.RunId!.Value).ToList() ?? [];
        foreach (var run in running)
        {
            _lastHeard.TryAdd(run, time.GetUtcNow());
        }

        if (running.Count > 0 || _rowStale)
        {
            _watchdog ??= this.RegisterGrainTimer(
                _ => CheckAsync(),
                new GrainTimerCreationOptions { DueTime = _options.WatchdogPeriod, Period = _options.WatchdogPeriod, KeepAlive = true });
        }
        else
        {
            _watchdog?.Dispose();
            _watchdog = null;
            _lastHeard.Clear();
        }
    }

    private static WorkRun? RunOf(JobEvent e) => e switch
    {
        RunProgressed p => p.Run,
        RunPlayable p => p.Run,
        SplitRequested p => p.Run,
        _ => null,
    };
}
