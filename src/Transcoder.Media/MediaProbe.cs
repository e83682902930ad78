using FFMpegCore;
using FFMpegCore.Exceptions;
using Microsoft.Extensions.Options;

namespace Transcoder.Media;

/// <summary>
/// Runs ffprobe (through FFMpegCore) on a local file, allowing only local files and pipes as protocols and only the
/// configured demuxers, so a playlist or list that names further files is refused before it opens any of them.
/// </summary>
public sealed class MediaProbe(IOptions<MediaOptions> options, IOptions<InputLimits> limits)
{
    /// <exception cref="MediaException">ffprobe cannot read the file, its container is not allowed, or it is empty.</exception>
    public async Task<SourceInfo> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var size = new FileInfo(path).Length;
        if (size == 0)
        {
            throw new MediaException(MediaErrorKind.InputUnreadable, "The input is empty (0 bytes).");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ProbeTimeout);
        try
        {
            var analysis = await FFProbe.AnalyseAsync(
                path,
                FfOptions.From(options.Value),
                customArguments: $"-protocol_whitelist {FfmpegArguments.ProtocolAllowList} -format_whitelist {limits.Value.FormatAllowList}",
                cancellationToken: timeout.Token);
            return ProbeReader.Read(analysis, size);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MediaException(MediaErrorKind.TimedOut, "ffprobe did not finish in time.");
        }
        catch (FFProbeProcessException ex) when (ex.StandardError.Any(l => l.Contains("not on whitelist", StringComparison.Ordinal)))
        {
            throw new MediaException(MediaErrorKind.UnsupportedContainer,
                "The input's container is not accepted (playlists, lists of files and unusual formats are refused).", ex,
                string.Join('\n', ex.StandardError.TakeLast(20)));
        }
        catch (FFProbeProcessException ex)
        {
            throw new MediaException(MediaErrorKind.InputUnreadable, "The input is not a media file ffmpeg can read.", ex,
                string.Join('\n', ex.StandardError.TakeLast(20)));
        }
        catch (FormatNullException ex)
        {
            throw new MediaException(MediaErrorKind.InputUnreadable, "The input is not a media file ffmpeg can read.", ex);
        }
    }
}

internal static class FfOptions
{
    public static FFOptions From(MediaOptions options) => new()
    {
        BinaryFolder = options.BinaryFolder ?? "",
        TemporaryFilesFolder = options.ScratchRoot,
    };
}
