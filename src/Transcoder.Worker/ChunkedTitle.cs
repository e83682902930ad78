using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Media;
using Transcoder.Media.Chunking;
using Transcoder.Media.Packaging;
using Transcoder.Storage;

namespace Transcoder.Worker;

/// <summary>
/// The title run's part in a chunked title: it splits the video into chunk items (each encoded by whichever silo has a
/// free slot), and once it has encoded the audio it joins the chunks' segment indexes in order as they finish,
/// growing the EVENT playlists chunk by chunk, until the package is whole.
/// </summary>
public sealed partial class ChunkedTitle(
    IObjectStore store,
    LadderEncoder encoder,
    IOptions<ChunkingOptions> chunking,
    IOptions<WorkerOptions> worker,
    TimeProvider time,
    ILogger<ChunkedTitle> logger)
{
    /// <summary>
    /// The split of a title worth chunking, made or (for a title run that starts over) found; null for a title encoded
    /// whole. A source fetched from a URL is stored first, so every chunk reads the very bytes planned from.
    /// </summary>
    /// <exception cref="RunSupersededException">The job no longer counts this run.</exception>
    /// <exception cref="MediaException">A split made before was planned from other bytes.</exception>
    public async Task<ChunkSplit?> SplitAsync(WorkContext context, LadderPlan plan, string input, string contentHash, string ladderHash, CancellationToken token)
    {
        var options = chunking.Value;
        var chunks = ChunkPlanner.Plan(plan, options);
        if (chunks.Length < 2)
        {
            return null;
        }

        var assignment = context.Assignment;
        var sourceKey = assignment.Input.Kind == JobInputKind.Upload ? assignment.Input.Location : ObjectKeys.Source(assignment.Tenant, assignment.JobId);
        if (assignment.Input.Kind != JobInputKind.Upload)
        {
            await store.PutFileAsync(sourceKey, input, "application/octet-stream", token);
        }

        var asked = new ChunkSplit(chunks.Length, options.ChunkSeconds, sourceKey, ladderHash, ContentHash: contentHash, FirstChunkSeconds: options.FirstChunkSeconds);
        var split = await context.Job.SplitAsync(assignment.Run, asked) ?? throw new RunSupersededException();
        if (split.ContentHash != contentHash)
        {
            throw new MediaException(MediaErrorKind.ChunksDiffer, "The input changed while the job ran: its chunks were planned from other bytes.");
        }

        if (split.LadderHash != ladderHash)
        {
            throw new ChunkPlanMismatchException("This silo's ladder settings differ from those the title was split with.");
        }

        Split(logger, assignment.JobId, assignment.Tenant, split.Count, split.ChunkSeconds);
        return split;
    }

    /// <summary>
    /// Waits for the chunks and joins them into <paramref name="package"/> in order, publishing after each join (the
    /// EVENT playlists grow; the master goes up with the first chunk). Returns the chunks' outputs, in order.
    /// </summary>
    /// <exception cref="RunSupersededException">The job no longer counts this run (it was canceled or failed).</exception>
    /// <exception cref="MediaException">A chunk does not join the ones before it.</exception>
    internal async Task<IReadOnlyList<ChunkOutput>> JoinAsync(WorkContext context, ChunkSplit split, LadderPackage package, LivePublisher publisher,
        Func<Task> onPlayable, CancellationToken token)
    {
        var assignment = context.Assignment;
        var prefix = ObjectKeys.Package(assignment.Tenant, assignment.JobId, split.PackageId);
        var joined = new List<ChunkOutput>(split.Count);
        IReadOnlyDictionary<string, byte[]>? inits = null;
        while (joined.Count < split.Count)
        {
            var chunks = await context.Job.GetChunksAsync(assignment.Run) ?? throw new RunSupersededException();
            var before = joined.Count;
            foreach (var chunk in chunks.OrderBy(c => c.Index).SkipWhile(c => c.Index < joined.Count))
            {
                if (chunk.Output is not { } output)
                {
                    break;
                }

                inits ??= await DownloadInitsAsync(package, prefix, context.Scratch, token);
                package.Join(output, inits);
                joined.Add(output);
            }

            if (joined.Count == before)
            {
                await Task.Delay(worker.Value.LivePublishInterval, time, token);
                continue;
            }

            await context.ReportAsync(5 + (85.0 * joined.Count / split.Count), JobStages.Encoding);
            var wasPlayable = publisher.Playable;
            try
            {
                await publisher.PollAsync(token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                // Live publishing is best effort: the next join, or the end, publishes what this one missed.
                PublishFailed(logger, assignment.JobId, ex);
            }

            if (publisher.Playable && !wasPlayable)
            {
                await onPlayable();
            }
        }

        return joined;
    }

    /// <summary>
    /// Makes the poster and the storyboard sprite of a joined package from the stills its chunks took (under the
    /// package's parts folder) into the package folder, where <see cref="LadderPackage.Finish"/> finds them. A still
    /// that is missing leaves the title without that image rather than fail it. Returns the CPU seconds spent.
    /// </summary>
    public async Task<double> CollectStillsAsync(WorkContext context, LadderPlan plan, string prefix, LadderPackage package, CancellationToken token)
    {
        if (plan.Thumbnails is not { } thumbnails)
        {
            return 0;
        }

        var parts = prefix + PackageLayout.PartsFolder + "/";
        if (!await TryDownloadAsync(parts + PackageLayout.Poster, Path.Combine(package.Folder, PackageLayout.Poster), token))
        {
            StillMissing(logger, context.Assignment.JobId, PackageLayout.Poster);
        }

        var folder = Path.Combine(context.Scratch, "stills");
        Directory.CreateDirectory(folder);
        var count = 0;
        while (count < thumbnails.Count && await TryDownloadAsync(parts + PackageLayout.Thumbnail(count), Path.Combine(folder, PackageLayout.Thumbnail(count)), token))
        {
            count++;
        }

        if (count < thumbnails.Count)
        {
            StillMissing(logger, context.Assignment.JobId, PackageLayout.Thumbnail(count));
        }

        return count == 0 ? 0 : await encoder.TileStoryboardAsync(thumbnails, folder, Path.Combine(package.Folder, PackageLayout.StoryboardImage), token);
    }

    /// <summary>Removes the stills the chunks left for the title run, once the package is published.</summary>
    public async Task RemovePartsAsync(WorkContext context, string prefix)
    {
        try
        {
            await store.DeletePrefixAsync(prefix + PackageLayout.PartsFolder + "/", CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Left for the job's own removal, or the bucket's lifecycle rule.
            PartsNotRemoved(logger, context.Assignment.JobId, ex);
        }
    }

    private async Task<bool> TryDownloadAsync(string key, string path, CancellationToken token)
    {
        try
        {
            await store.DownloadAsync(key, path, token);
            return true;
        }
        catch (Exception ex) when (ObjectStoreFailures.IsMissingObject(ex))
        {
            return false;
        }
    }

    /// <summary>The initialization segments the first chunk published, one per rung.</summary>
    private async Task<IReadOnlyDictionary<string, byte[]>> DownloadInitsAsync(LadderPackage package, string prefix, string scratch, CancellationToken token)
    {
        var inits = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var id in package.JoinedIds)
        {
            var path = Path.Combine(scratch, PackageLayout.Init(id));
            await store.DownloadAsync(prefix + PackageLayout.Init(id), path, token);
            inits[id] = await File.ReadAllBytesAsync(path, token);
        }

        return inits;
    }

    [LoggerMessage(3113, LogLevel.Information, "Job {JobId} of {Tenant}: the video is encoded in {Chunks} chunks of {ChunkSeconds} s")]
    private static partial void Split(ILogger logger, Guid jobId, string tenant, int chunks, int chunkSeconds);

    [LoggerMessage(3115, LogLevel.Warning, "Job {JobId}: the still {Still} a chunk should have taken is missing; the package goes without it")]
    private static partial void StillMissing(ILogger logger, Guid jobId, string still);

    [LoggerMessage(3116, LogLevel.Warning, "Job {JobId}: the chunks' stills could not be removed")]
    private static partial void PartsNotRemoved(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3114, LogLevel.Warning, "Job {JobId}: publishing joined chunks failed; will retry")]
    private static partial void PublishFailed(ILogger logger, Guid jobId, Exception exception);
}
