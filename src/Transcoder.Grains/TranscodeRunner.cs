using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Media;
using Transcoder.Media.Ingest;
using Transcoder.Storage;

namespace Transcoder.Grains;

/// <summary>
/// Runs attempts on this silo, outside any grain call: takes a slot, gives the attempt a scratch folder of its
/// own and a heartbeat, runs the <see cref="IJobPipeline"/> (fetch, probe, encode, upload), and reports the
/// outcome. The <see cref="JobDispatcher"/> starts runs only for free slots; the slot semaphore makes sure of it.
/// Each run writes its outputs under a prefix of its own, so only the run the job accepts is ever published.
/// </summary>
public sealed class TranscodeRunner : IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IObjectStore _store;
    private readonly IJobPipeline _pipeline;
    private readonly MediaOptions _media;
    private readonly WorkerOptions _worker;
    private readonly ILogger<TranscodeRunner> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<Guid, Run> _runs = new();

    public TranscodeRunner(IGrainFactory grains, IObjectStore store, IJobPipeline pipeline, IOptions<MediaOptions> media, IOptions<WorkerOptions> worker,
        ILogger<TranscodeRunner> logger)
    {
        _grains = grains;
        _store = store;
        _pipeline = pipeline;
        _media = media.Value;
        _worker = worker.Value;
        _logger = logger;
        _slots = new SemaphoreSlim(_worker.EncodeSlots, _worker.EncodeSlots);
    }

    /// <summary>Encode slots of this silo.</summary>
    public int Slots => _worker.EncodeSlots;

    /// <summary>Slots running an encode now.</summary>
    public int BusySlots => _worker.EncodeSlots - _slots.CurrentCount;

    /// <summary>Runs in progress or waiting for a slot on this silo.</summary>
    public int ActiveRuns => _runs.Count;

    /// <summary>The jobs of the runs on this silo.</summary>
    public IReadOnlyCollection<Guid> ActiveJobIds => [.. _runs.Values.Select(r => r.Item.JobId)];

    /// <summary>The runs on this silo.</summary>
    public IReadOnlyCollection<WorkItem> ActiveItems => [.. _runs.Values.Select(r => r.Item)];

    /// <summary>Raised after a run ended and freed its slot.</summary>
    public event Action? RunEnded;

    /// <summary>Starts a run in the background. A second start of the same run is ignored.</summary>
    public void Start(WorkItem item)
    {
        var run = new Run(item);
        if (!_runs.TryAdd(item.RunId, run))
        {
            run.Dispose();
            return;
        }

        run.Task = Task.Run(() => ExecuteAsync(run));
    }

    /// <summary>Cancels a run and waits (bounded) for it to stop and clean up.</summary>
    public async Task CancelAsync(Guid jobId, Guid runId)
    {
        if (_runs.TryGetValue(runId, out var run) && run.Item.JobId == jobId)
        {
            await run.Cancellation.CancelAsync();
            await Task.WhenAny(run.Task, Task.Delay(_media.StopGracePeriod + TimeSpan.FromSeconds(1)));
        }
    }

    private async Task ExecuteAsync(Run run)
    {
        var item = run.Item;
        using var scope = JobLogScope.Begin(_logger, item.JobId, item.Tenant);
        var job = _grains.GetGrain<ITranscodeJobGrain>(item.JobId);
        var token = run.Cancellation.Token;
        var scratch = Path.Combine(_media.ScratchRoot, $"{item.JobId:N}-{item.RunId:N}");
        var outputPrefix = ObjectKeys.Run(item.Tenant, item.JobId, item.RunId);
        var reporter = new ProgressReporter(job, item.RunId, _worker.ProgressInterval);
        var slotTaken = false;
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var heartbeat = reporter.HeartbeatAsync(_worker.HeartbeatInterval, heartbeatStop.Token);
        try
        {
            await _slots.WaitAsync(token);
            slotTaken = true;
            Directory.CreateDirectory(scratch);

            var output = await _pipeline.RunAsync(new JobAttempt(item, job, scratch, outputPrefix, reporter), token);
            if (output.ReusedFrom is { } reusedFrom)
            {
                Log.OutputsReused(_logger, item.JobId, item.Tenant, reusedFrom);
            }

            // Scratch goes before the report, so a job seen as ended has nothing left on this silo's disk.
            DeleteScratch(scratch);
            if (!await job.ReportCompletedAsync(item.RunId, output))
            {
                // The job moved on (canceled, or this run was presumed lost and retried): unpublish.
                await DeleteQuietlyAsync(outputPrefix);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            Log.RunCanceled(_logger, item.JobId, item.Tenant, item.RunId);
            await DeleteQuietlyAsync(outputPrefix);
            DeleteScratch(scratch);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var (error, retryable) = Classify(ex);
            Log.RunFailed(_logger, item.JobId, item.Tenant, item.RunId, error.Code, ex);
            await DeleteQuietlyAsync(outputPrefix);
            DeleteScratch(scratch);
            await ReportFailureQuietlyAsync(job, item, error, retryable);
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
            if (slotTaken)
            {
                _slots.Release();
            }

            DeleteScratch(scratch);
            _runs.TryRemove(item.RunId, out _);
            run.Dispose();
            RunEnded?.Invoke();
        }
    }

    /// <summary>Maps a failure to the job's error code, and whether another attempt may succeed.</summary>
    internal static (JobError Error, bool Retryable) Classify(Exception exception) => exception switch
    {
        MediaException media => (new JobError(Code(media.Kind), media.Message, media.StderrTail), !media.IsPermanent),
        InputFetchException fetch => (new JobError(fetch.Kind switch
        {
            FetchErrorKind.Refused => JobErrorCodes.InputRefused,
            FetchErrorKind.TooLarge => JobErrorCodes.InputTooLarge,
            _ => JobErrorCodes.DownloadFailed,
        }, fetch.Message), fetch.Retryable),
        Amazon.S3.AmazonS3Exception s3 when s3.StatusCode == System.Net.HttpStatusCode.NotFound =>
            (new JobError(JobErrorCodes.DownloadFailed, "The uploaded input is missing from the object store."), false),
        Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException or IOException or System.Net.Sockets.SocketException =>
            (new JobError(JobErrorCodes.StorageFailed, exception.Message), true),
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
        _ => JobErrorCodes.EncodeFailed,
    };

    private async Task ReportFailureQuietlyAsync(ITranscodeJobGrain job, WorkItem item, JobError error, bool retryable)
    {
        try
        {
            await job.ReportFailedAsync(item.RunId, error, retryable);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The job grain will presume this run lost when its lease runs out, and retry.
            Log.ReportFailed(_logger, item.JobId, ex);
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
            Log.CleanupFailed(_logger, prefix, ex);
        }
    }

    private void DeleteScratch(string scratch)
    {
        try
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
        catch (IOException ex)
        {
            Log.CleanupFailed(_logger, scratch, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            Log.CleanupFailed(_logger, scratch, ex);
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

    private sealed class Run(WorkItem item) : IDisposable
    {
        public WorkItem Item { get; } = item;

        public CancellationTokenSource Cancellation { get; } = new();

        public Task Task { get; set; } = Task.CompletedTask;

        public void Dispose() => Cancellation.Dispose();
    }
}
