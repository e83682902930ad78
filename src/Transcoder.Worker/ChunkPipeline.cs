using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Media;
using Transcoder.Media.Chunking;
using Transcoder.Storage;

namespace Transcoder.Worker;

/// <summary>
/// A chunk work item: probe the title's source where it is in the bucket, plan the ladder as the title run did (and
/// refuse to go on if this silo would plan it otherwise), encode the chunk's span into every rung from one decode
/// (ffmpeg reading only that span, by range requests on a signed URL), cut it into the package's segments under their
/// global names, and upload them under the package's prefix. The title run joins them.
/// </summary>
public sealed partial class ChunkPipeline(
    IObjectStore store,
    MediaProbe probe,
    LadderEncoder encoder,
    OutputReuse reuse,
    IOptions<LadderOptions> ladder,
    IOptions<ObjectStoreOptions> storage,
    IOptions<MediaOptions> media,
    WorkerMetrics metrics,
    TimeProvider time,
    ILogger<ChunkPipeline> logger) : IWorkPipeline
{
    /// <summary>How long a signed URL outlives the chunk's time limit (a run that queued for its slot, a slow probe).</summary>
    private static readonly TimeSpan SignedUrlMargin = TimeSpan.FromMinutes(30);

    public WorkItemKind Kind => WorkItemKind.Chunk;

    public async Task<WorkResult> RunAsync(WorkContext context, CancellationToken token)
    {
        var assignment = context.Assignment;
        var (index, split) = assignment.Chunk ?? throw new InvalidOperationException("A chunk run without its chunk.");
        // The source is read where it is, through a signed URL: ffmpeg fetches the header, the index and the chunk's
        // span with range requests, not the whole file.
        await context.ReportAsync(0, JobStages.Probing, force: true);
        var fetchStarted = Stopwatch.GetTimestamp();
        var (url, size) = await store.SignedReadAsync(split.SourceKey, time.GetUtcNow().UtcDateTime + media.Value.TimeLimit(TimeSpan.FromSeconds(split.ChunkSeconds)) + SignedUrlMargin, token);
        var input = url.AbsoluteUri;
        var source = await probe.ProbeAsync(url, size, token);
        var fetched = Stopwatch.GetElapsedTime(fetchStarted);
        var plan = LadderPlanner.Plan(source, ladder.Value, assignment.Tracks ?? TrackOptions.Default, assignment.Outputs);
        if (reuse.HashFor(assignment) != split.LadderHash)
        {
            // Silos of another configuration (a rolling update): one of the title's own kind takes the chunk instead.
            throw new ChunkPlanMismatchException("This silo's ladder settings differ from those the title was planned with.");
        }

        var chunks = ChunkPlanner.Plan(plan, new ChunkingOptions
        {
            MinSourceSeconds = 0,
            ChunkSeconds = split.ChunkSeconds,
            FirstChunkSeconds = split.FirstChunkSeconds > 0 ? split.FirstChunkSeconds : split.ChunkSeconds,
        });
        if (chunks.Length != split.Count)
        {
            throw new ChunkPlanMismatchException($"This silo cuts the title into {chunks.Length} chunks, not the {split.Count} it was split into.");
        }

        var chunk = chunks[index];
        await context.ReportAsync(5, JobStages.Encoding, force: true);
        var progress = new Progress<double>(p => _ = context.ReportAsync(5 + (p * 85), JobStages.Encoding));
        var started = Stopwatch.GetTimestamp();
        var encodeFolder = Path.Combine(context.Scratch, "encode");
        var encoded = await encoder.EncodeChunkAsync(plan, chunk, input, encodeFolder, progress, token);
        var encodeTime = Stopwatch.GetElapsedTime(started);
        metrics.Transcoded(plan.Rungs[0].Name, encodeTime);
        ChunkEncoded(logger, assignment.JobId, assignment.Tenant, index + 1, split.Count, chunk.StartSeconds, ChunkPlanner.Frames(plan, chunk),
            Math.Round(fetched.TotalSeconds, 3), Math.Round(encodeTime.TotalSeconds, 3), Math.Round(encoded.CpuSeconds, 3));

        var packageFolder = Path.Combine(context.Scratch, "package");
        var packaged = ChunkPackager.Cut(plan, chunk, encodeFolder, packageFolder, encoded);
        await context.ReportAsync(90, JobStages.Uploading, force: true);
        var prefix = ObjectKeys.Package(assignment.Tenant, assignment.JobId, split.PackageId);
        long bytes = 0;
        await Parallel.ForEachAsync(packaged.Files, new ParallelOptions { MaxDegreeOfParallelism = storage.Value.UploadConcurrency, CancellationToken = token },
            async (name, ct) =>
            {
                var path = Path.Combine(packageFolder, name);
                await store.PutFileAsync(prefix + name, path, ContentTypes.ForFile(name), ct);
                Interlocked.Add(ref bytes, new FileInfo(path).Length);
            });
        metrics.Uploaded(bytes);
        return packaged.Output;
    }

    [LoggerMessage(3130, LogLevel.Information,
        "Job {JobId} of {Tenant}: chunk {Chunk} of {Chunks} (from {StartSeconds} s, {Frames} frames) encoded: source opened in {FetchSeconds} s, encoded in {EncodeSeconds} s, {CpuSeconds} CPU-s")]
    private static partial void ChunkEncoded(ILogger logger, Guid jobId, string tenant, int chunk, int chunks, double startSeconds, long frames,
        double fetchSeconds, double encodeSeconds, double cpuSeconds);
}

/// <summary>A silo plans a chunk's title otherwise than the title run did (another configuration or ffmpeg): another silo should take it.</summary>
public sealed class ChunkPlanMismatchException : Exception
{
    public ChunkPlanMismatchException()
    {
    }

    public ChunkPlanMismatchException(string message)
        : base(message)
    {
    }

    public ChunkPlanMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
