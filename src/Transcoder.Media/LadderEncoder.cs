using System.Globalization;
using Microsoft.Extensions.Options;
using Transcoder.Media.Packaging;

namespace Transcoder.Media;

/// <summary>What encoding a ladder measured: ffmpeg's CPU time and the quality of each video rendition.</summary>
/// <param name="CpuSeconds">User plus system CPU seconds of the ffmpeg run, as ffmpeg measured them.</param>
/// <param name="Quality">PSNR and SSIM of each video rendition against its scaled source, in rung order.</param>
public sealed record EncodedLadder(double CpuSeconds, IReadOnlyList<RenditionQuality> Quality);

/// <summary>Runs the one ffmpeg process that encodes a job's ladder into the folders of its <see cref="LadderPackage"/>.</summary>
public sealed class LadderEncoder(FfmpegProcess ffmpeg, IOptions<MediaOptions> options, IOptions<InputLimits> limits)
{
    /// <summary>
    /// Encodes <paramref name="plan"/> from <paramref name="inputPath"/> for <paramref name="package"/>, which may cut
    /// segments while this runs. Progress is 0..1 of the source duration. Cancelling asks ffmpeg to quit and kills it
    /// after the grace period.
    /// </summary>
    /// <exception cref="MediaException">ffmpeg failed or ran past a time limit.</exception>
    public async Task<EncodedLadder> EncodeAsync(LadderPlan plan, string inputPath, LadderPackage package,
        IProgress<double> progress, CancellationToken cancellationToken)
    {
        var arguments = FfmpegArguments.ForLadder(plan, inputPath, package.EncodeFolder, package.Folder, limits.Value.FormatAllowList);
        var quality = new EncoderSummary();
        FfmpegRun run;
        try
        {
            run = await ffmpeg.RunAsync(
                new FfmpegRequest(arguments, plan.Duration, TimeLimit(plan.Duration), CpuTimeLimit(plan.Duration), progress, quality.Add),
                cancellationToken);
        }
        catch (MediaException ex) when (ex.Kind == MediaErrorKind.EncodeFailed && ex.StderrTail?.Contains(": partial file", StringComparison.Ordinal) == true)
        {
            // The demuxer met the end of the file where its index said data would be: the input is cut short, and
            // running again would fail the same way.
            throw new MediaException(MediaErrorKind.InputTruncated, string.Create(CultureInfo.InvariantCulture,
                $"The input is truncated: its header declares {plan.Duration.TotalSeconds:0.###} s, but its data ends early and could not be decoded."), ex, ex.StderrTail);
        }

        progress.Report(1);
        return new EncodedLadder(run.CpuSeconds, plan.Rungs.IsEmpty ? [] : quality.Renditions(plan.Rungs.Length));
    }

    /// <summary>
    /// Encodes one chunk of <paramref name="plan"/>'s video into every rung, into <paramref name="encodeFolder"/> (one
    /// file per rung, starting at time 0). Progress is 0..1 of the chunk. Returns ffmpeg's CPU seconds and the quality
    /// of each rung over the chunk.
    /// </summary>
    /// <exception cref="MediaException">ffmpeg failed or ran past a time limit.</exception>
    public async Task<EncodedLadder> EncodeChunkAsync(LadderPlan plan, Chunking.PlannedChunk chunk, string inputPath, string encodeFolder,
        IProgress<double> progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(encodeFolder);
        var span = chunk.FrameCount is { } frames
            ? TimeSpan.FromSeconds(frames / plan.FrameRate.ToDouble())
            : plan.Duration - TimeSpan.FromSeconds(chunk.StartSeconds);
        var quality = new EncoderSummary();
        var run = await ffmpeg.RunAsync(
            new FfmpegRequest(FfmpegArguments.ForChunk(plan, chunk, inputPath, encodeFolder, limits.Value.FormatAllowList), span,
                TimeLimit(span), CpuTimeLimit(span), progress, quality.Add),
            cancellationToken);
        progress.Report(1);
        return new EncodedLadder(run.CpuSeconds, quality.Renditions(plan.Rungs.Length));
    }

    /// <summary>
    /// Tiles the storyboard thumbnails chunks took (<see cref="PackageLayout.ThumbnailPattern"/> in
    /// <paramref name="folder"/>, from 0 on) into <paramref name="output"/>; returns ffmpeg's CPU seconds.
    /// </summary>
    /// <exception cref="MediaException">ffmpeg failed.</exception>
    public async Task<double> TileStoryboardAsync(ThumbnailPlan plan, string folder, string output, CancellationToken cancellationToken)
    {
        var images = TimeSpan.FromSeconds(plan.Count);
        var run = await ffmpeg.RunAsync(new FfmpegRequest(FfmpegArguments.ForStoryboard(plan, folder, output), images, TimeLimit(images), CpuTimeLimit(images)), cancellationToken);
        return run.CpuSeconds;
    }

    /// <summary>CPU-time limit: proportional to the input's duration, plus the floor.</summary>
    public TimeSpan CpuTimeLimit(TimeSpan inputDuration) => options.Value.CpuTimeLimit(inputDuration);

    /// <summary>Wall-clock limit: proportional to the input's duration, plus a floor for start-up.</summary>
    public TimeSpan TimeLimit(TimeSpan inputDuration) => options.Value.TimeLimit(inputDuration);
}
