using System.Diagnostics;
using System.Globalization;
using FFMpegCore;
using FFMpegCore.Exceptions;
using Microsoft.Extensions.Options;

namespace Transcoder.Media;

/// <summary>
/// Runs ffprobe (through FFMpegCore) on a local file (or a source in the object store, through a signed URL),
/// allowing only local files and pipes (or that http(s) URL) as protocols and only the configured demuxers, so a
/// playlist or list that names further files is refused before it opens any of them.
/// </summary>
public sealed class MediaProbe(IOptions<MediaOptions> options, IOptions<InputLimits> limits)
{
    /// <exception cref="MediaException">ffprobe cannot read the file, its container is not allowed, or it is empty.</exception>
    public async Task<SourceInfo> ProbeAsync(string path, CancellationToken cancellationToken) =>
        await WithHdrMetadataAsync(path, await ProbeAsync(path, new FileInfo(path).Length, cancellationToken), cancellationToken);

    /// <summary>
    /// Probes a source in the object store through a signed URL (<paramref name="sizeBytes"/> long), reading only its
    /// header and index with range requests.
    /// </summary>
    /// <exception cref="MediaException">ffprobe cannot read the source, or its container is not allowed.</exception>
    public async Task<SourceInfo> ProbeAsync(Uri signedUrl, long sizeBytes, CancellationToken cancellationToken) =>
        await WithHdrMetadataAsync(signedUrl.AbsoluteUri, await ProbeAsync(signedUrl.AbsoluteUri, sizeBytes, cancellationToken), cancellationToken);

    /// <summary>
    /// An HDR source with its static metadata, which is in the stream (SEI, OBUs), not its header: read off the first
    /// frame, so every run that plans the title (a chunk's too) carries the same mastering display into its encoders.
    /// </summary>
    private async Task<SourceInfo> WithHdrMetadataAsync(string input, SourceInfo source, CancellationToken cancellationToken)
    {
        if (source.Video is not { Hdr: true } video)
        {
            return source;
        }

        var (display, light) = await ReadHdrMetadataAsync(input, video.Index, cancellationToken);
        return source with { VideoStreams = [.. source.VideoStreams.Select(v => v.Index == video.Index ? v with { MasteringDisplay = display, ContentLight = light } : v)] };
    }

    /// <summary>The mastering display and content light level the first frame of a stream carries, when it does.</summary>
    private async Task<(MasteringDisplay? Display, (int, int)? Light)> ReadHdrMetadataAsync(string input, int stream, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ProbeTimeout);
        var start = new ProcessStartInfo(Path.Combine(options.Value.BinaryFolder ?? "", "ffprobe"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var protocols = SignedUrls.IsRemote(input) ? FfmpegArguments.RemoteProtocolAllowList : FfmpegArguments.ProtocolAllowList;
        foreach (var argument in (string[])["-v", "error", "-protocol_whitelist", protocols, "-format_whitelist", limits.Value.FormatAllowList,
            "-read_intervals", "%+#1", "-select_streams", stream.ToString(CultureInfo.InvariantCulture), "-show_frames", "-show_entries", "frame=side_data_list", "-of", "json", input])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            var json = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            await stderr;
            return process.ExitCode == 0 ? HdrMetadata.Read(json) : (null, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return (null, null);
        }
    }

    private async Task<SourceInfo> ProbeAsync(string input, long size, CancellationToken cancellationToken)
    {
        if (size == 0)
        {
            throw new MediaException(MediaErrorKind.InputUnreadable, "The input is empty (0 bytes).");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ProbeTimeout);
        try
        {
            var protocols = SignedUrls.IsRemote(input) ? FfmpegArguments.RemoteProtocolAllowList : FfmpegArguments.ProtocolAllowList;
            var arguments = $"-protocol_whitelist {protocols} -format_whitelist {limits.Value.FormatAllowList}";
            var analysis = SignedUrls.IsRemote(input)
                ? await FFProbe.AnalyseAsync(new Uri(input), FfOptions.From(options.Value), customArguments: arguments, cancellationToken: timeout.Token)
                : await FFProbe.AnalyseAsync(input, FfOptions.From(options.Value), customArguments: arguments, cancellationToken: timeout.Token);
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
                SignedUrls.Redact(string.Join('\n', ex.StandardError.TakeLast(20))));
        }
        catch (FFProbeProcessException ex)
        {
            throw new MediaException(MediaErrorKind.InputUnreadable, "The input is not a media file ffmpeg can read.", ex,
                SignedUrls.Redact(string.Join('\n', ex.StandardError.TakeLast(20))));
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
