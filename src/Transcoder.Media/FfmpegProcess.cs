using FFMpegCore;
using FFMpegCore.Arguments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Transcoder.Media;

/// <summary>The result of one ffmpeg run: its CPU time as ffmpeg measured it.</summary>
public sealed record FfmpegRun(double CpuSeconds);

/// <summary>
/// Runs ffmpeg (through FFMpegCore) with an argument list from <see cref="FfmpegArguments"/>: logs the command
/// once, reports progress against the input's duration, keeps the tail of stderr for the job's error, reads
/// ffmpeg's own CPU time, enforces a wall-clock limit, and on cancel asks ffmpeg to quit before killing it.
/// </summary>
public sealed class FfmpegProcess(IOptions<MediaOptions> options, ILogger<FfmpegProcess> logger)
{
    private const int StderrTailLines = 30;

    /// <summary>
    /// Runs ffmpeg. <paramref name="limit"/> bounds its wall-clock time and <paramref name="cpuLimit"/> its CPU
    /// time; <paramref name="marker"/> is a string only this run's command line contains (its output path), by
    /// which the process is found to apply the CPU limit. <paramref name="onStderr"/>, if given, sees every line
    /// ffmpeg writes to stderr.
    /// </summary>
    /// <exception cref="MediaException">ffmpeg failed or ran past a limit.</exception>
    public async Task<FfmpegRun> RunAsync(IReadOnlyList<string> arguments, TimeSpan duration, TimeSpan limit, TimeSpan cpuLimit,
        string marker, IProgress<double>? progress, CancellationToken cancellationToken, Action<string>? onStderr = null)
    {
        var cpuLimited = 0;
        var commandLine = CommandLine.Join(arguments);
        Log.FfmpegStarting(logger, commandLine);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);

        var tail = new StderrTail(StderrTailLines);
        double? cpuSeconds = null;
        var processor = FFMpegArguments
            .FromInput(new RawArgument(commandLine))
            .OutputTo(new RawArgument(""))
            .NotifyOnStandardError(line =>
            {
                // The first line of output means the process is up: cap its CPU time once.
                if (Interlocked.Exchange(ref cpuLimited, 1) == 0 && !CpuLimit.TryApply(marker, cpuLimit))
                {
                    Log.CpuLimitNotApplied(logger, marker);
                }

                tail.Add(line);
                onStderr?.Invoke(line);
                cpuSeconds = BenchmarkLine.TryParseCpuSeconds(line) ?? cpuSeconds;
            })
            .NotifyOnProgress(time =>
            {
                if (progress is not null && duration > TimeSpan.Zero)
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
            throw TimedOut(limit, tail);
        }

        if (result.Cancelled)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw TimedOut(limit, tail);
        }

        if (!result.Success && cpuLimited == 1 && CpuLimit.IsLimitExit(result.ExitCode, tail.Text))
        {
            throw new MediaException(MediaErrorKind.TimedOut, $"ffmpeg used more than its CPU limit of {cpuLimit} and was stopped.", stderrTail: tail.Text);
        }

        if (!result.Success)
        {
            Log.FfmpegFailed(logger, result.ExitCode, tail.Text);
            throw new MediaException(MediaErrorKind.EncodeFailed, ExitMessage(result.ExitCode), stderrTail: tail.Text);
        }

        return new FfmpegRun(cpuSeconds ?? 0);
    }

    /// <summary>How ffmpeg ended: a code of 128 + n means it was killed by signal n (9: killed, 11: crashed).</summary>
    internal static string ExitMessage(int exitCode) => exitCode > 128 && exitCode < 160
        ? $"ffmpeg was killed by signal {exitCode - 128} (exit code {exitCode})."
        : $"ffmpeg exited with code {exitCode}.";

    private static MediaException TimedOut(TimeSpan limit, StderrTail tail) =>
        new(MediaErrorKind.TimedOut, $"ffmpeg ran longer than its limit of {limit} and was stopped.", stderrTail: tail.Text);

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
