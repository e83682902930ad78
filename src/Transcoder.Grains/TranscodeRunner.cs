using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Media;
using Transcoder.Media.Ingest;
using Transcoder.Storage;

namespace Transcoder.Grains;

/// <summary>
/// Runs attempts on this silo, outside any grain call: fetch the input into a scratch folder of its own,
/// probe, plan, encode the whole ladder in one ffmpeg process, upload, report. The <see cref="JobDispatcher"/>
/// starts runs only for free slots; the slot semaphore makes sure of it.
/// Each run writes its outputs under a prefix of its own, so only the run the job accepts is ever published.
/// </summary>
public sealed class TranscodeRunner : IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IObjectStore _store;
    private readonly UrlFetcher _fetcher;
    private readonly MediaProbe _probe;
    private readonly LadderEncoder _encoder;
    private readonly OutputReuse _reuse;
    private readonly LadderOptions _ladder;
    private readonly InputLimits _limits;
    private readonly MediaOptions _media;
    private readonly WorkerOptions _worker;
    private readonly ILogger<TranscodeRunner> _logger;
    private readonly int _uploadConcurrency;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<Guid, Run> _runs = new();

    public TranscodeRunner(IGrainFactory grains, IObjectStore store, UrlFetcher fetcher, MediaProbe probe, LadderEncoder encoder, OutputReuse reuse,
        IOptions<LadderOptions> ladder, IOptions<InputLimits> limits, IOptions<MediaOptions> media, IOptions<WorkerOptions> worker, IOptions<ObjectStoreOptions> storage,
        ILogger<TranscodeRunner> logger)
    {
        _uploadConcurrency = storage.Value.UploadConcurrency;
        _grains = grains;
        _store = store;
        _fetcher = fetcher;
        _probe = probe;
        _encoder = encoder;
        _reuse = reuse;
        _ladder = ladder.Value;
        _limits = limits.Value;
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

            await reporter.ReportAsync(0, JobStages.Downloading, force: true);
            var input = Path.Combine(scratch, "input");
            await FetchAsync(item.Input, input, token);
            var contentHash = await OutputReuse.HashFileAsync(input, token);
            if (await _reuse.FindAsync(item, contentHash, token) is { } reused)
            {
                Log.OutputsReused(_logger, item.JobId, item.Tenant, reused.ReusedFrom!.Value);
                DeleteScratch(scratch);
                await job.ReportCompletedAsync(item.RunId, reused);
                return;
            }

            await reporter.ReportAsync(2, JobStages.Probing, force: true);
            var source = await _probe.ProbeAsync(input, token);
            InputPolicy.Enforce(source, _limits);
            var plan = LadderPlanner.Plan(source, _ladder);
            Log.Planned(_logger, item.JobId, item.Tenant, plan.Rungs.Length, source.Duration.TotalSeconds);

            await reporter.ReportAsync(3, JobStages.Encoding, force: true);
            var outputFolder = Path.Combine(scratch, "out");
            var encodeProgress = new Progress<double>(p => _ = reporter.ReportAsync(3 + (p * 87), JobStages.Encoding));
            var publisher = new LivePublisher(_store, outputFolder, outputPrefix, plan, _uploadConcurrency);
            PackagedLadder packaged;
            using (var liveStop = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                var live = publisher.RunAsync(_worker.LivePublishInterval,
                    () => ReportPlayableQuietlyAsync(job, item, outputPrefix),
                    ex => Log.LivePublishFailed(_logger, item.JobId, ex),
                    liveStop.Token);
                try
                {
                    packaged = await _encoder.EncodeAsync(plan, input, outputFolder, encodeProgress, token);
                }
                finally
                {
                    await liveStop.CancelAsync();
                    await live;
                }
            }

            await reporter.ReportAsync(90, JobStages.Uploading, force: true);
            await publisher.FinishAsync((done, total) => reporter.ReportAsync(90 + (9.0 * done / Math.Max(1, total)), JobStages.Uploading), token);
            var quality = packaged.Quality;

            var output = new TranscodeOutput(
                [.. packaged.Renditions.Select((r, i) => new Rendition(r.Name, r.Width, r.Height, r.Bandwidth, r.AverageBandwidth,
                    r.Codecs, outputPrefix + r.Playlist, r.FrameRate,
                    i < quality.Count ? quality[i].Psnr : null,
                    i < quality.Count ? quality[i].Ssim : null))],
                outputPrefix + packaged.HlsMaster,
                outputPrefix + packaged.DashManifest,
                packaged.DurationSeconds,
                JobCosts.Price(packaged.CpuSeconds, packaged.DurationSeconds, packaged.Renditions.Length, _worker.DollarsPerVcpuHour),
                packaged.Poster is null ? null : outputPrefix + packaged.Poster,
                packaged.StoryboardTrack is null ? null : outputPrefix + packaged.StoryboardTrack,
                contentHash,
                _reuse.LadderHash);

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

    private async Task FetchAsync(JobInput input, string path, CancellationToken token)
    {
        if (input.Kind == JobInputKind.Upload)
        {
            await _store.DownloadAsync(input.Location, path, token);
            return;
        }

        await _fetcher.FetchAsync(input.Location, path, token);
    }

    private async Task ReportPlayableQuietlyAsync(ITranscodeJobGrain job, WorkItem item, string outputPrefix)
    {
        try
        {
            await job.ReportPlayableAsync(item.RunId, outputPrefix + LadderLayout.HlsMaster, outputPrefix + LadderLayout.DashManifest);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Advisory: completion makes the job playable anyway.
            Log.ReportFailed(_logger, item.JobId, ex);
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
        Amazon.Runtime.AmazonServiceException or HttpRequestException or IOException =>
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
        _fetcher.Dispose();
    }

    private sealed class Run(WorkItem item) : IDisposable
    {
        public WorkItem Item { get; } = item;

        public CancellationTokenSource Cancellation { get; } = new();

        public Task Task { get; set; } = Task.CompletedTask;

        public void Dispose() => Cancellation.Dispose();
    }
}
