using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Media;
using Transcoder.Media.Ingest;
using Transcoder.Storage;

namespace Transcoder.Grains;

/// <summary>
/// The silo's attempt: fetch the input into scratch, reuse the outputs of an identical completed job if there
/// is one, else probe, plan, encode the whole ladder in one ffmpeg process while publishing segments live,
/// and upload the rest.
/// </summary>
public sealed class LadderPipeline(
    IObjectStore store,
    UrlFetcher fetcher,
    MediaProbe probe,
    LadderEncoder encoder,
    OutputReuse reuse,
    IOptions<LadderOptions> ladder,
    IOptions<InputLimits> limits,
    IOptions<WorkerOptions> worker,
    IOptions<ObjectStoreOptions> storage,
    JobMetrics metrics,
    ILogger<LadderPipeline> logger) : IJobPipeline
{
    public async Task<TranscodeOutput> RunAsync(JobAttempt attempt, CancellationToken token)
    {
        var item = attempt.Item;
        await attempt.ReportAsync(0, JobStages.Downloading, force: true);
        var input = Path.Combine(attempt.Scratch, "input");
        await FetchAsync(item.Input, input, token);
        var contentHash = await OutputReuse.HashFileAsync(input, token);
        if (await reuse.FindAsync(item, contentHash, token) is { } reused)
        {
            return reused;
        }

        await attempt.ReportAsync(2, JobStages.Probing, force: true);
        var source = await probe.ProbeAsync(input, token);
        InputPolicy.Enforce(source, limits.Value);
        var plan = LadderPlanner.Plan(source, ladder.Value);
        Log.Planned(logger, item.JobId, item.Tenant, plan.Rungs.Length, source.Duration.TotalSeconds);

        await attempt.ReportAsync(3, JobStages.Encoding, force: true);
        var outputFolder = Path.Combine(attempt.Scratch, "out");
        var encodeProgress = new Progress<double>(p => _ = attempt.ReportAsync(3 + (p * 87), JobStages.Encoding));
        var publisher = new LivePublisher(store, outputFolder, attempt.OutputPrefix, plan, storage.Value.UploadConcurrency);
        PackagedLadder packaged;
        using (var liveStop = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            var live = publisher.RunAsync(worker.Value.LivePublishInterval,
                () => ReportPlayableQuietlyAsync(attempt),
                ex => Log.LivePublishFailed(logger, item.JobId, ex),
                liveStop.Token);
            var encodeStarted = Stopwatch.GetTimestamp();
            try
            {
                packaged = await encoder.EncodeAsync(plan, input, outputFolder, encodeProgress, token);
                metrics.Transcoded(plan.Rungs.IsEmpty ? "audio" : plan.Rungs[0].Name, Stopwatch.GetElapsedTime(encodeStarted));
            }
            finally
            {
                await liveStop.CancelAsync();
                await live;
            }
        }

        await attempt.ReportAsync(90, JobStages.Uploading, force: true);
        await publisher.FinishAsync((done, total) => attempt.ReportAsync(90 + (9.0 * done / Math.Max(1, total)), JobStages.Uploading), token);
        metrics.Uploaded(new DirectoryInfo(outputFolder).EnumerateFiles().Where(f => f.Extension != ".tmp").Sum(f => f.Length));
        var quality = packaged.Quality;
        var prefix = attempt.OutputPrefix;
        return new TranscodeOutput(
            [.. packaged.Renditions.Select((r, i) => new Rendition(r.Name, r.Width, r.Height, r.Bandwidth, r.AverageBandwidth,
                r.Codecs, prefix + r.Playlist, r.FrameRate,
                i < quality.Count ? quality[i].Psnr : null,
                i < quality.Count ? quality[i].Ssim : null))],
            prefix + packaged.HlsMaster,
            prefix + packaged.DashManifest,
            packaged.DurationSeconds,
            JobCosts.Price(packaged.CpuSeconds, packaged.DurationSeconds, packaged.Renditions.Length, worker.Value.DollarsPerVcpuHour),
            packaged.Poster is null ? null : prefix + packaged.Poster,
            packaged.StoryboardTrack is null ? null : prefix + packaged.StoryboardTrack,
            contentHash,
            reuse.LadderHash);
    }

    private async Task FetchAsync(JobInput input, string path, CancellationToken token)
    {
        if (input.Kind == JobInputKind.Upload)
        {
            await store.DownloadAsync(input.Location, path, token);
            return;
        }

        await fetcher.FetchAsync(input.Location, path, token);
    }

    private async Task ReportPlayableQuietlyAsync(JobAttempt attempt)
    {
        try
        {
            await attempt.Job.ReportPlayableAsync(attempt.Item.RunId, attempt.OutputPrefix + LadderLayout.HlsMaster, attempt.OutputPrefix + LadderLayout.DashManifest);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Advisory: completion makes the job playable anyway.
            Log.ReportFailed(logger, attempt.Item.JobId, ex);
        }
    }
}
