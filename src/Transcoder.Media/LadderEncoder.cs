using Microsoft.Extensions.Options;

namespace Transcoder.Media;

/// <summary>Runs the one ffmpeg process that makes a job's ladder, and packages its outputs with their measured quality.</summary>
public sealed class LadderEncoder(FfmpegProcess ffmpeg, IOptions<MediaOptions> options, IOptions<InputLimits> limits)
{
    /// <summary>
    /// Encodes <paramref name="plan"/> into <paramref name="outputFolder"/>. Progress is 0..1 of the source
    /// duration. Cancelling asks ffmpeg to quit and kills it after the grace period.
    /// </summary>
    /// <exception cref="MediaException">ffmpeg failed or ran past its time limit.</exception>
    public async Task<PackagedLadder> EncodeAsync(LadderPlan plan, string inputPath, string outputFolder,
        IProgress<double> progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputFolder);
        var arguments = FfmpegArguments.ForLadder(plan, inputPath, outputFolder, limits.Value.FormatAllowList);
        var summary = new EncoderSummary();
        var segments = new SegmentProgress(plan, progress);
        var run = await ffmpeg.RunAsync(arguments, plan.Duration, TimeLimit(plan.Duration), CpuTimeLimit(plan.Duration), outputFolder, progress,
            cancellationToken, line =>
            {
                summary.Add(line);
                segments.Add(line);
            });
        progress.Report(1);
        return LadderPackager.Finish(outputFolder, plan) with { CpuSeconds = run.CpuSeconds, Quality = summary.Renditions(plan.Rungs.Length) };
    }

    /// <summary>CPU-time limit: proportional to the input's duration and the number of rungs, plus the floor.</summary>
    public TimeSpan CpuTimeLimit(TimeSpan inputDuration) =>
        options.Value.EncodeTimeFloor + (inputDuration * options.Value.CpuTimeFactor);

    /// <summary>Wall-clock limit: proportional to the input's duration, plus a floor for start-up.</summary>
    public TimeSpan TimeLimit(TimeSpan inputDuration) =>
        options.Value.EncodeTimeFloor + (inputDuration * options.Value.EncodeTimeFactor);
}
