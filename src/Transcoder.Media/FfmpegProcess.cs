using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Transcoder.Media;

/// <summary>One ffmpeg run to make: its arguments and its limits.</summary>
/// <param name="Arguments">The argument list (without the program), passed to the process as a list: no shell, no quoting.</param>
/// <param name="Duration">The input's duration, against which progress is measured.</param>
/// <param name="WallLimit">Longest the run may take.</param>
/// <param name="CpuLimit">Most CPU time it may use (the kernel enforces it).</param>
/// <param name="Progress">Gets 0..1 of <paramref name="Duration"/> as ffmpeg reports it on its progress pipe.</param>
/// <param name="OnStderr">Sees every line ffmpeg writes to stderr.</param>
public sealed record FfmpegRequest(
    IReadOnlyList<string> Arguments,
    TimeSpan Duration,
    TimeSpan WallLimit,
    TimeSpan CpuLimit,
    IProgress<double>? Progress = null,
    Action<string>? OnStderr = null);

/// <summary>The result of one ffmpeg run: its CPU time as ffmpeg measured it, and the tail of what it said.</summary>
public sealed record FfmpegRun(double CpuSeconds, string StderrTail);

/// <summary>
/// Runs ffmpeg as a child process this service owns: logs the command once, passes the arguments as a list, caps the
/// CPU time of the process it started (by its id), reads progress from <c>-progress pipe:1</c> on stdout, keeps the
/// tail of stderr for the job's error, reads ffmpeg's own CPU time (<c>-benchmark</c>), and stops it on cancel or
/// past its time limit: "q" on stdin, a bounded wait, then kill.
/// </summary>
public sealed class FfmpegProcess(IOptions<MediaOptions> options, ILogger<FfmpegProcess> logger)
{
    private const int StderrTailLines = 30;

    /// <exception cref="MediaException">ffmpeg failed or ran past a limit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; ffmpeg has stopped.</exception>
    public async Task<FfmpegRun> RunAsync(FfmpegRequest request, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Program())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in request.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Log.FfmpegStarting(logger, CommandLine.Join(request.Arguments));
        using var process = Process.Start(start) ?? throw new MediaException(MediaErrorKind.EncodeFailed, "ffmpeg did not start.");
        var cpuLimited = CpuLimit.TryApply(process.Id, request.CpuLimit);
        if (!cpuLimited)
        {
            Log.CpuLimitNotApplied(logger, process.Id);
        }

        var tail = new StderrTail(StderrTailLines);
        double? cpuSeconds = null;
        var stderr = PumpAsync(process.StandardError, line =>
        {
            tail.Add(line);
            request.OnStderr?.Invoke(line);
            cpuSeconds = BenchmarkLine.TryParseCpuSeconds(line) ?? cpuSeconds;
        });
        var progress = new FfmpegProgress(request.Duration, request.Progress);
        var stdout = PumpAsync(process.StandardOutput, progress.Add);

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(request.WallLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process);
            await Task.WhenAll(stderr, stdout);
            cancellationToken.ThrowIfCancellationRequested();
            throw new MediaException(MediaErrorKind.TimedOut, $"ffmpeg ran longer than its limit of {request.WallLimit} and was stopped.", stderrTail: tail.Text);
        }

        await Task.WhenAll(stderr, stdout);
        var exitCode = process.ExitCode;
        if (exitCode != 0 && cpuLimited && CpuLimit.IsLimitExit(exitCode, tail.Text))
        {
            throw new MediaException(MediaErrorKind.TimedOut, $"ffmpeg used more than its CPU limit of {request.CpuLimit} and was stopped.", stderrTail: tail.Text);
        }

        if (exitCode != 0)
        {
            Log.FfmpegFailed(logger, exitCode, tail.Text);
            throw new MediaException(MediaErrorKind.EncodeFailed, ExitMessage(exitCode), stderrTail: tail.Text);
        }

        return new FfmpegRun(cpuSeconds ?? 0, tail.Text);
    }

    /// <summary>How ffmpeg ended: a code of 128 + n means it was killed by signal n (9: killed, 11: crashed).</summary>
    internal static string ExitMessage(int exitCode) => exitCode > 128 && exitCode < 160
        ? string.Create(CultureInfo.InvariantCulture, $"ffmpeg was killed by signal {exitCode - 128} (exit code {exitCode}).")
        : string.Create(CultureInfo.InvariantCulture, $"ffmpeg exited with code {exitCode}.");

    /// <summary>Asks ffmpeg to quit ("q" on stdin: it closes its outputs), waits the grace period, then kills it.</summary>
    private async Task StopAsync(Process process)
    {
        try
        {
            await process.StandardInput.WriteAsync('q');
            await process.StandardInput.FlushAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // It is already gone, or has closed its stdin.
        }

        using var grace = new CancellationTokenSource(options.Value.StopGracePeriod);
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private string Program() => options.Value.BinaryFolder is { Length: > 0 } folder ? Path.Combine(folder, "ffmpeg") : "ffmpeg";

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            onLine(line);
        }
    }
}

/// <summary>
/// Reads ffmpeg's <c>-progress</c> output: blocks of key=value lines, each ending with "progress=continue" (or "end"),
/// of which <c>out_time_us</c> says how far into the input the outputs are.
/// </summary>
internal sealed class FfmpegProgress(TimeSpan duration, IProgress<double>? progress)
{
    private long? _outTimeMicroseconds;

    public void Add(string line)
    {
        var separator = line.IndexOf('=');
        if (separator <= 0)
        {
            return;
        }

        var key = line.AsSpan(0, separator);
        var value = line.AsSpan(separator + 1).Trim();
        if (key.SequenceEqual("out_time_us"))
        {
            _outTimeMicroseconds = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros) && micros >= 0 ? micros : null;
        }
        else if (key.SequenceEqual("progress") && progress is not null && duration > TimeSpan.Zero)
        {
            if (value.SequenceEqual("end"))
            {
                progress.Report(1);
            }
            else if (_outTimeMicroseconds is { } micros)
            {
                progress.Report(Math.Clamp(micros / duration.TotalMicroseconds, 0, 1));
            }
        }
    }
}
