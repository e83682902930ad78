using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Media;
using Transcoder.Media.Ingest;
using Transcoder.ServiceDefaults;
using Transcoder.Storage;

namespace Transcoder.Worker;

/// <summary>
/// Runs work items on this silo, outside any grain call: takes a slot, gives the run a scratch folder of its own and a
/// heartbeat, runs the pipeline of the item's kind, and reports the outcome to the job. The
/// <see cref="WorkDispatcher"/> starts runs only for free slots; the slot semaphore makes sure of it. Each run writes
/// its outputs under a prefix of its own, so only the run the job accepts is ever published.
/// </summary>
public sealed partial class WorkRunner : IWorkRuns, IDisposable
{
    /// <summary>How often a completion report is tried before the run leaves it to the job's heartbeat timeout.</summary>
    private const int CompletionReportTries = 3;

    private readonly IGrainFactory _grains;
    private readonly IObjectStore _store;
    private readonly IReadOnlyDictionary<WorkItemKind, IWorkPipeline> _pipelines;
    private readonly ScratchFolders _scratch;
    private readonly MediaOptions _media;
    private readonly WorkerOptions _options;
    private readonly ILogger<WorkRunner> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<Guid, Run> _runs = new();
    private TaskCompletionSource _idle = NewIdle(done: true);

    public WorkRunner(IGrainFactory grains, IObjectStore store, IEnumerable<IWorkPipeline> pipelines, ScratchFolders scratch,
        IOptions<MediaOptions> media, IOptions<WorkerOptions> options, ILogger<WorkRunner> logger)
    {
        _grains = grains;
        _store = store;
        // The last pipeline registered for a kind runs it, as with any service registered twice.
        _pipelines = pipelines.GroupBy(p => p.Kind).ToDictionary(g => g.Key, g => g.Last());
        _scratch = scratch;
        _media = media.Value;
        _options = options.Value;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.EncodeSlots, _options.EncodeSlots);
    }

    /// <summary>Slots of this silo.</summary>
    public int Slots => _options.EncodeSlots;

    /// <summary>Slots running work now.</summary>
    public int BusySlots => _options.EncodeSlots - _slots.CurrentCount;

    /// <summary>Runs in progress or waiting for a slot on this silo.</summary>
    public int ActiveRuns => _runs.Count;

    /// <summary>Runs that hold a slot or wait for one: what the silo's slots are spent on (a run that gave its slot back is not).</summary>
    public int SlottedRuns => _runs.Values.Count(r => !r.SlotGivenBack);

    /// <summary>The items of the runs on this silo.</summary>
    public IReadOnlyCollection<(Guid JobId, string ItemId)> ActiveItems => [.. _runs.Values.Select(r => (r.Assignment.JobId, r.Assignment.Run.ItemId))];

    /// <summary>The runs on this silo.</summary>
    public IReadOnlyCollection<WorkAssignment> ActiveAssignments => [.. _runs.Values.Select(r => r.Assignment)];

    /// <summary>Raised after a run ended and freed its slot.</summary>
    public event Action? RunEnded;

    /// <summary>Starts a run in the background. A second start of the same run is ignored.</summary>
    public void Start(WorkAssignment assignment)
    {
        var run = new Run(assignment);
        lock (_runs)
        {
            if (!_runs.TryAdd(assignment.Run.RunId, run))
            {
                run.Dispose();
                return;
            }

            if (_idle.Task.IsCompleted)
            {
                _idle = NewIdle(done: false);
            }
        }

        run.Task = Task.Run(() => ExecuteAsync(run));
    }

    /// <summary>Waits until no run goes on here, or <paramref name="within"/> passes.</summary>
    public Task WaitIdleAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        Task idle;
        lock (_runs)
        {
            idle = _idle.Task;
        }

        return within <= TimeSpan.Zero ? Task.CompletedTask : idle.WaitAsync(within, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Stops a run and waits (bounded) for it to stop and clean up.</summary>
    public async Task StopAsync(Guid jobId, WorkRun run)
    {
        if (_runs.TryGetValue(run.RunId, out var found) && found.Assignment.JobId == jobId)
        {
            await found.Cancellation.CancelAsync();
            await Task.WhenAny(found.Task, Task.Delay(_media.StopGracePeriod + TimeSpan.FromSeconds(1)));
        }
    }

    private async Task ExecuteAsync(Run run)
    {
        var assignment = run.Assignment;
        using var scope = JobLogScope.Begin(_logger, assignment.JobId, assignment.Tenant);
        var job = _grains.GetGrain<ITranscodeJobGrain>(assignment.JobId);
        var token = run.Cancellation.Token;
        var outputPrefix = ObjectKeys.Run(assignment.Tenant, assignment.JobId, assignment.Run.RunId);
        var reporter = new ProgressReporter(job, assignment.Run, _options.ProgressInterval);
        var slotTaken = false;
        void ReleaseSlot()
        {
            lock (run)
            {
                if (!slotTaken || run.SlotGivenBack)
                {
                    return;
                }

                run.SlotGivenBack = true;
                _slots.Release();
            }

            RunEnded?.Invoke();
        }

        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var heartbeat = reporter.HeartbeatAsync(_options.HeartbeatInterval, heartbeatStop.Token);
        using var scratch = _scratch.For(assignment);
        try
        {
            await _slots.WaitAsync(token);
            lock (run)
            {
                slotTaken = true;
            }

            var pipeline = _pipelines.GetValueOrDefault(assignment.Kind)
                ?? throw new InvalidOperationException($"This silo has no pipeline for {assignment.Kind} work.");
            var result = await pipeline.RunAsync(new WorkContext(assignment, job, scratch.Path, outputPrefix, reporter, ReleaseSlot), token);
            if (result.Outputs?.ReusedFrom is { } reusedFrom)
            {
                OutputsReused(_logger, assignment.JobId, assignment.Tenant, reusedFrom);
            }

            // Scratch goes before the report, so a job seen as ended has nothing left on this silo's disk.
            scratch.Delete();
            await heartbeatStop.CancelAsync();
            if (await ReportCompletedAsync(job, assignment, result) is false && result.Chunk is null)
            {
                // The job moved on (canceled, or this run was presumed lost and retried): unpublish.
                await DeleteQuietlyAsync(outputPrefix);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            RunCanceled(_logger, assignment.JobId, assignment.Tenant, assignment.Run.RunId);
            await DeleteQuietlyAsync(outputPrefix);
        }
        catch (RunSupersededException)
        {
            RunSuperseded(_logger, assignment.JobId, assignment.Tenant, assignment.Run.RunId);
            await DeleteQuietlyAsync(outputPrefix);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var (error, retryable) = Classify(ex);
            RunFailed(_logger, assignment.JobId, assignment.Tenant, assignment.Run.RunId, error.Code, (ex as MediaException)?.StderrTail, ex);
            await DeleteQuietlyAsync(outputPrefix);
            scratch.Delete();
            await ReportFailureQuietlyAsync(job, assignment, error, retryable);
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
            lock (run)
            {
                if (slotTaken && !run.SlotGivenBack)
                {
                    _slots.Release();
                }
            }

            scratch.Delete();
            Ended(run);
        }
    }

    private void Ended(Run run)
    {
        lock (_runs)
        {
            _runs.TryRemove(run.Assignment.Run.RunId, out _);
            if (_runs.IsEmpty)
            {
                _idle.TrySetResult();
            }
        }

        run.Dispose();
        RunEnded?.Invoke();
    }

    /// <summary>
    /// Tells the job the run completed. The job takes a repeated report from the same run once, so a call whose
    /// answer was lost is simply made again. True or false as the job answered; null if it could not be told: the
    /// outputs then stay, and the job presumes the run lost (and removes them) once its heartbeat timeout passes.
    /// </summary>
    /// <remarks>
    /// A chunk's segments are under their final names, which a later run of the same chunk writes again: they are not
    /// this run's to remove, so a refused chunk leaves them (a job that ended removes its whole prefix).
    /// </remarks>
    private async Task<bool?> ReportCompletedAsync(ITranscodeJobGrain job, WorkAssignment assignment, WorkResult result)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return result.Chunk is { } chunk
                    ? await job.ReportChunkAsync(assignment.Run, chunk)
                    : await job.ReportCompletedAsync(assignment.Run, result.Outputs ?? throw new InvalidOperationException("A title run returned no outputs."));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                ReportFailed(_logger, assignment.JobId, ex);
                if (attempt == CompletionReportTries)
                {
                    return null;
                }

                await Task.Delay(_options.HeartbeatInterval / 2, CancellationToken.None);
            }
        }
    }

    /// <summary>Maps a failure to the job's error code, and whether another attempt may succeed.</summary>
    internal static (JobError Error, bool Retryable) Classify(Exception exception) => exception switch
    {
        MediaException media => (new JobError(Code(media.Kind), media.Message, TenantDiagnostics.Scrub(media.StderrTail)), !media.IsPermanent),
        InputFetchException fetch => (new JobError(fetch.Kind switch
        {
            FetchErrorKind.Refused => JobErrorCodes.InputRefused,
            FetchErrorKind.TooLarge => JobErrorCodes.InputTooLarge,
            _ => JobErrorCodes.DownloadFailed,
        }, TenantDiagnostics.Scrub(fetch.Message) ?? "The input could not be fetched."), fetch.Retryable),
        ChunkPlanMismatchException mismatch => (new JobError(JobErrorCodes.ChunkMismatch, mismatch.Message), true),
        _ when ObjectStoreFailures.IsMissingObject(exception) =>
            (new JobError(JobErrorCodes.DownloadFailed, "The uploaded input is missing from the object store."), false),
        _ when ObjectStoreFailures.IsStoreOrNetwork(exception) => (new JobError(JobErrorCodes.StorageFailed, "The object store could not be reached."), true),
        _ => (new JobError(JobErrorCodes.Internal, "The worker failed unexpectedly."), true),
    };

    private static string Code(MediaErrorKind kind) => kind switch
    {
        MediaErrorKind.InputUnreadable => JobErrorCodes.InputUnreadable,
        MediaErrorKind.NoVideoOrAudio => JobErrorCodes.NoVideoOrAudio,
        MediaErrorKind.UnsupportedCodec => JobErrorCodes.UnsupportedCodec,
        MediaErrorKind.UnsupportedContainer => JobErrorCodes.UnsupportedContainer,
        MediaErrorKind.InputTooLarge => JobErrorCodes.InputTooLarge,
        MediaErrorKind.InputTooLong => JobErrorCodes.InputTooLong,
        MediaErrorKind.TimedOut => JobErrorCodes.EncodeTimedOut,
        MediaErrorKind.LanguageNotInSource => JobErrorCodes.AudioLanguageNotFound,
        MediaErrorKind.TooManyTracks => JobErrorCodes.TooManyTracks,
        MediaErrorKind.SubtitleUnreadable => JobErrorCodes.SubtitleUnreadable,
        MediaErrorKind.CaptionInvalid => JobErrorCodes.CaptionInvalid,
        MediaErrorKind.InputTruncated => JobErrorCodes.InputTruncated,
        MediaErrorKind.ChunksDiffer => JobErrorCodes.ChunkMismatch,
        MediaErrorKind.OutputsInvalid => JobErrorCodes.InvalidOutputs,
        _ => JobErrorCodes.EncodeFailed,
    };

    private async Task ReportFailureQuietlyAsync(ITranscodeJobGrain job, WorkAssignment assignment, JobError error, bool retryable)
    {
        try
        {
            await job.ReportFailedAsync(assignment.Run, error, retryable);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The job presumes this run lost when its heartbeat timeout passes, and retries.
            ReportFailed(_logger, assignment.JobId, ex);
        }
    }

    private async Task DeleteQuietlyAsync(string prefix)
    {
        try
        {
            await _store.DeletePrefixAsync(prefix, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            CleanupFailed(_logger, prefix, ex);
        }
    }

    public void Dispose()
    {
        foreach (var run in _runs.Values)
        {
            run.Cancellation.Cancel();
        }

        _slots.Dispose();
    }

    private static TaskCompletionSource NewIdle(bool done)
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (done)
        {
            idle.SetResult();
        }

        return idle;
    }

    [LoggerMessage(3101, LogLevel.Information, "Job {JobId} of {Tenant} run {RunId} canceled")]
    private static partial void RunCanceled(ILogger logger, Guid jobId, string tenant, Guid runId);

    [LoggerMessage(3102, LogLevel.Warning, "Job {JobId} of {Tenant} run {RunId} failed with {Code}; ffmpeg said: {StderrTail}")]
    private static partial void RunFailed(ILogger logger, Guid jobId, string tenant, Guid runId, string code, string? stderrTail, Exception exception);

    [LoggerMessage(3103, LogLevel.Warning, "Job {JobId}: a report did not reach the job")]
    private static partial void ReportFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3104, LogLevel.Information, "Job {JobId} of {Tenant} reuses the outputs of job {ReusedFrom}: same input bytes and ladder")]
    private static partial void OutputsReused(ILogger logger, Guid jobId, string tenant, Guid reusedFrom);

    [LoggerMessage(3106, LogLevel.Information, "Job {JobId} of {Tenant} run {RunId} stopped: the job no longer counts it")]
    private static partial void RunSuperseded(ILogger logger, Guid jobId, string tenant, Guid runId);

    [LoggerMessage(3105, LogLevel.Warning, "Could not remove {Location}")]
    private static partial void CleanupFailed(ILogger logger, string location, Exception exception);

    private sealed class Run(WorkAssignment assignment) : IDisposable
    {
        public WorkAssignment Assignment { get; } = assignment;

        public CancellationTokenSource Cancellation { get; } = new();

        public Task Task { get; set; } = Task.CompletedTask;

        /// <summary>The run gave its slot back before it ended (see <see cref="WorkContext.ReleaseSlot"/>).</summary>
        public bool SlotGivenBack { get; set; }

        public void Dispose() => Cancellation.Dispose();
    }
}
