using FFMpegCore;
using FFMpegCore.Arguments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Transcoder.Media;

/// <summary>Runs the one ffmpeg process that makes a job's ladder, and packages its outputs.</summary>
public sealed class LadderEncoder(IOptions<MediaOptions> options, IOptions<InputLimits> limits, ILogger<LadderEncoder> logger)
{
    private const int StderrTailLines = 30;

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
        var commandLine = CommandLine.Join(arguments);
        Log.FfmpegStarting(logger, commandLine);

        var limit = TimeLimit(plan.Duration);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);

        var tail = new StderrTail(StderrTailLines);
        double? cpuSeconds = null;
        var duration = plan.Duration;
        var processor = FFMpegArguments
            .FromInput(new RawArgument(commandLine))
            .OutputTo(new RawArgument(""))
            .NotifyOnStandardError(line =>
            {
                tail.Add(line);
                cpuSeconds = BenchmarkLine.TryParseCpuSeconds(line) ?? cpuSeconds;
            })
            .NotifyOnProgress(time =>
            {
                if (duration > TimeSpan.Zero)
                {
                    progress.Report(Math.Clamp(time / duration, 0, 1));
                }
            })
            .CancellableThrough(timeout.Token, options.Value.StopGracePeriod);

        FFMpegResult result;
        try
        {
            // Cancellation goes through CancellableThrough, which asks ffmpeg to quit before killing it.
            result = await processor.ProcessAsynchronously(throwOnError: false, FfOptions.From(options.Value), CancellationToken.None);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MediaException(MediaErrorKind.TimedOut, $"ffmpeg ran longer than its limit of {limit} and was stopped.",
                stderrTail: tail.Text);
        }

        if (result.Cancelled)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new MediaException(MediaErrorKind.TimedOut, $"ffmpeg ran longer than its limit of {limit} and was stopped.",
                stderrTail: tail.Text);
        }

        if (!result.Success)
        {
            Log.FfmpegFailed(logger, result.ExitCode, tail.Text);
            throw new MediaException(MediaErrorKind.EncodeFailed, $"ffmpeg exited with code {result.ExitCode}.", stderrTail: tail.Text);
        }

        progress.Report(1);
        return LadderPackager.Finish(outputFolder, plan) with { CpuSeconds = cpuSeconds ?? 0 };
    }

    /// <summary>Wall-clock limit: proportional to the input's duration, plus a floor for start-up.</summary>
    public TimeSpan TimeLimit(TimeSpan inputDuration) =>
        options.Value.EncodeTimeFloor + (inputDuration * options.Value.EncodeTimeFactor);

    /// <summary>An argument whose text is already a quoted command line.</summary>
    private sealed class RawArgument(string text) : IInputArgument, IOutputArgument
    {
        public string Text => text;

        public void Pre(FFOptions options)
        {
        }

        public Task During(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public void Post()
        {
        }
    }
}
