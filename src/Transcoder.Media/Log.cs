using Microsoft.Extensions.Logging;

namespace Transcoder.Media;

internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Information, "Running ffmpeg {CommandLine}")]
    public static partial void FfmpegStarting(ILogger logger, string commandLine);

    [LoggerMessage(2003, LogLevel.Warning, "Could not cap the CPU time of ffmpeg process {ProcessId}")]
    public static partial void CpuLimitNotApplied(ILogger logger, int processId);

    [LoggerMessage(2002, LogLevel.Warning, "ffmpeg exited with code {ExitCode}: {StderrTail}")]
    public static partial void FfmpegFailed(ILogger logger, int exitCode, string stderrTail);
}
