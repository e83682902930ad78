using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Captions;
using Transcoder.Media;
using Transcoder.Media.Chunking;
using Transcoder.Media.Ingest;
using Transcoder.Media.Packaging;
using Transcoder.Storage;

namespace Transcoder.Worker;

/// <summary>
/// The title work item: fetch the input into scratch, reuse the outputs of an identical completed job if there is one,
/// else probe and plan. A title long enough to chunk is split into chunk items (see <see cref="ChunkedTitle"/>); this
/// run then encodes the audio and text and joins the chunks' video as they finish. Any other is encoded here, every
/// rendition from one decode. Either way the packager cuts and publishes segments live, and the finished package last.
/// </summary>
public sealed partial class LadderPipeline(
    IObjectStore store,
    UrlFetcher fetcher,
    MediaProbe probe,
    LadderEncoder encoder,
    PackageExtras extras,
    TrackPasses trackPasses,
    CaptionFiles captionFiles,
    OutputReuse reuse,
    ChunkedTitle chunked,
    IOptions<LadderOptions> ladder,
    IOptions<InputLimits> limits,
    IOptions<WorkerOptions> worker,
    IOptions<ObjectStoreOptions> storage,
    WorkerMetrics metrics,
    TimeProvider time,
    ILogger<LadderPipeline> logger) : IWorkPipeline
{
    public WorkItemKind Kind => WorkItemKind.Ladder;

    public async Task<WorkResult> RunAsync(WorkContext context, CancellationToken token)
    {
        var assignment = context.Assignment;
        await context.ReportAsync(0, JobStages.Downloading, force: true);
        var input = Path.Combine(context.Scratch, "input");
        await FetchAsync(assignment.Input, input, token);
        var contentHash = await OutputReuse.HashFileAsync(input, token);
        var tracks = assignment.Tracks ?? TrackOptions.Default;
        if (await reuse.FindAsync(assignment, contentHash, token) is { } reused)
        {
            return reused;
        }

        await context.ReportAsync(2, JobStages.Probing, force: true);
        var source = await probe.ProbeAsync(input, token);
        InputPolicy.Enforce(source, limits.Value);
        var plan = LadderPlanner.Plan(source, ladder.Value, tracks, assignment.Outputs);
        Planned(logger, assignment.JobId, assignment.Tenant, plan.Rungs.Length, plan.AudioTracks.Length, plan.TextTracks.Length, source.Duration.TotalSeconds);

        // Chunks are queued before the passes below, so other silos start on the video at once.
        var ladderHash = reuse.HashFor(assignment);
        var split = await chunked.SplitAsync(context, plan, input, contentHash, ladderHash, token);

        // The passes before the encode: text subtitles as WebVTT, caption files, the source's loudness.
        var tracksFolder = Path.Combine(context.Scratch, "tracks");
        var sourceText = await trackPasses.ReadSourceTextAsync(plan, input, tracksFolder, token);
        var textCues = new Dictionary<string, IReadOnlyList<Cue>>(sourceText.Value, StringComparer.Ordinal);
        foreach (var (id, cues) in await captionFiles.ReadAsync(plan, tracks, tracksFolder, token))
        {
            textCues[id] = cues;
        }

        var measured = await trackPasses.MeasureSourceLoudnessAsync(plan, input, token);
        plan = measured.Value;

        await context.ReportAsync(3, JobStages.Encoding, force: true);
        var (encodeFolder, packageFolder) = (Path.Combine(context.Scratch, "encode"), Path.Combine(context.Scratch, "package"));
        using var package = split is null
            ? new LadderPackage(plan, encodeFolder, packageFolder, textCues)
            : LadderPackage.Joined(plan, encodeFolder, packageFolder, textCues);
        var prefix = split is null ? context.OutputPrefix : ObjectKeys.Package(assignment.Tenant, assignment.JobId, split.PackageId);
        var publisher = new LivePublisher(store, package, prefix, storage.Value.UploadConcurrency, time);

        // Whole: the encode is 87 % of this run. Chunked: the audio is 2 %, joining the chunks the rest.
        var encodeShare = split is null ? 87 : 2;
        var encodeProgress = new Progress<double>(p => _ = context.ReportAsync(3 + (p * encodeShare), JobStages.Encoding));
        var encodePlan = split is null ? plan : plan with { Rungs = [], Thumbnails = null };
        var encoded = new EncodedLadder(0, []);
        using (var liveStop = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            var live = publisher.RunAsync(worker.Value.LivePublishInterval,
                () => ReportPlayableQuietlyAsync(context, prefix),
                ex => LivePublishFailed(logger, assignment.JobId, ex),
                liveStop.Token);
            var encodeStarted = Stopwatch.GetTimestamp();
            try
            {
                if (!encodePlan.Rungs.IsEmpty || !encodePlan.AudioTracks.IsEmpty)
                {
                    encoded = await encoder.EncodeAsync(encodePlan, input, package, encodeProgress, token);
                    metrics.Transcoded(encodePlan.Rungs.IsEmpty ? "audio" : encodePlan.Rungs[0].Name, Stopwatch.GetElapsedTime(encodeStarted));
                }
            }
            finally
            {
                await liveStop.CancelAsync();
                await live;
            }
        }

        var quality = encoded.Quality;
        var chunkCpuSeconds = 0.0;
        var stillsCpuSeconds = 0.0;
        if (split is not null)
        {
            // The audio is done: this run only waits and joins now, so the slot goes to other work (a chunk, say).
            context.ReleaseSlot();
            var chunks = await chunked.JoinAsync(context, split, package, publisher, () => ReportPlayableQuietlyAsync(context, prefix), token);
            quality = ChunkPackager.Quality(chunks, plan.Rungs.Length);
            chunkCpuSeconds = chunks.Sum(c => c.CpuSeconds);
            stillsCpuSeconds = await chunked.CollectStillsAsync(context, plan, prefix, package, token);
        }

        var loudness = await trackPasses.MeasureRenditionLoudnessAsync(plan, package.EncodeFolder, token);
        var title = package.Finish(quality, loudness.Value);

        // Downloads from the package's segments (a chunked title's are in the bucket), stills from the source.
        var fetched = Path.Combine(context.Scratch, "fetched");
        var made = await extras.MakeAsync(plan, assignment.Outputs ?? OutputOptions.Default, title, package.Folder,
            (file, ct) => LocalFileAsync(package.Folder, fetched, prefix, file, ct), input, Path.Combine(context.Scratch, "extras"), token);
        var warnings = TruncationCheck.Check(source, title.DurationSeconds);
        await context.ReportAsync(90, JobStages.Uploading, force: true);
        await publisher.FinishAsync((done, total) => context.ReportAsync(90 + (9.0 * done / Math.Max(1, total)), JobStages.Uploading), token);
        metrics.Uploaded(publisher.UploadedBytes());
        if (split is not null)
        {
            await chunked.RemovePartsAsync(context, prefix);
        }

        var videoRenditions = title.Renditions.Count(r => r.Kind == RenditionKind.Video);
        return new JobOutputs
        {
            Renditions = [.. title.Renditions.Select(r => r with { PlaylistUrl = prefix + r.PlaylistUrl, FileUrl = r.FileUrl is null ? null : prefix + r.FileUrl })],
            HlsKey = prefix + title.HlsMaster,
            DashKey = prefix + title.DashManifest,
            PosterKey = title.Poster is null ? null : prefix + title.Poster,
            StoryboardKey = title.StoryboardTrack is null ? null : prefix + title.StoryboardTrack,
            DurationSeconds = title.DurationSeconds,
            Cost = JobCosts.ByCodec(
                JobCosts.Price(encoded.CpuSeconds + chunkCpuSeconds + stillsCpuSeconds + sourceText.CpuSeconds + measured.CpuSeconds + loudness.CpuSeconds + made.CpuSeconds,
                    title.DurationSeconds, videoRenditions, worker.Value.DollarsPerVcpuHour),
                title.Renditions,
                ladder.Value.CodecCpuWeights()),
            ContentHash = contentHash,
            LadderHash = ladderHash,
            Source = Facts(source),
            Skipped = plan.Skipped,
            Warnings = warnings,
            ToneMapped = plan.ToneMapFrom is not null,
            Downloads = [.. made.Downloads.Select(d => new DownloadFile(d.Format == DownloadFormat.Mp4 ? "mp4" : "m4a", prefix + d.File, d.SizeBytes, d.Codecs, d.Width, d.Height))],
            Stills = [.. made.Stills.Select(s => new StillFile(s.Seconds, prefix + s.File, s.Width, s.Height, s.SizeBytes))],
        };
    }

    /// <summary>A file of the package on this machine: cut here, or (a chunk's segment) fetched from the bucket into <paramref name="fetched"/>.</summary>
    private async Task<string> LocalFileAsync(string packageFolder, string fetched, string prefix, string file, CancellationToken token)
    {
        var local = Path.Combine(packageFolder, file);
        if (File.Exists(local))
        {
            return local;
        }

        var path = Path.Combine(fetched, file);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(fetched);
            await store.DownloadAsync(prefix + file, path, token);
        }

        return path;
    }

    private static SourceFacts Facts(SourceInfo source) => new(
        source.FormatName,
        source.SizeBytes,
        source.Duration.TotalSeconds,
        source.Video?.Codec,
        source.Video?.Width,
        source.Video?.Height,
        source.Video is { FrameRate: var rate } && rate != Rational.Zero ? Math.Round(rate.ToDouble(), 3) : null,
        source.Audio?.Codec,
        source.Audio?.Channels,
        source.AudioStreams.Count,
        source.TextStreams.Count);

    private async Task FetchAsync(JobInput input, string path, CancellationToken token)
    {
        if (input.Kind == JobInputKind.Upload)
        {
            await store.DownloadAsync(input.Location, path, token);
            return;
        }

        await fetcher.FetchAsync(input.Location, path, token);
    }

    private async Task ReportPlayableQuietlyAsync(WorkContext context, string prefix)
    {
        try
        {
            await context.Job.ReportPlayableAsync(context.Assignment.Run, prefix + PackageLayout.HlsMaster, prefix + PackageLayout.DashManifest);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Advisory: completion makes the job playable anyway.
            PlayableReportFailed(logger, context.Assignment.JobId, ex);
        }
    }

    [LoggerMessage(3110, LogLevel.Information, "Job {JobId} of {Tenant} planned {Rungs} rungs, {AudioTracks} audio and {TextTracks} text tracks for a {DurationSeconds} s source")]
    private static partial void Planned(ILogger logger, Guid jobId, string tenant, int rungs, int audioTracks, int textTracks, double durationSeconds);

    [LoggerMessage(3111, LogLevel.Warning, "Job {JobId}: live publishing failed; will retry")]
    private static partial void LivePublishFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3112, LogLevel.Warning, "Job {JobId}: the playable report did not reach the job")]
    private static partial void PlayableReportFailed(ILogger logger, Guid jobId, Exception exception);
}
