using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Media.Packaging;

namespace Transcoder.Media;

/// <summary>A download made into the package folder.</summary>
/// <param name="Format">MP4 or M4A.</param>
/// <param name="File">Its name in the package.</param>
/// <param name="SizeBytes">Its size.</param>
/// <param name="Codecs">RFC 6381 codecs of its tracks.</param>
/// <param name="Width">An MP4's width.</param>
/// <param name="Height">An MP4's height.</param>
public sealed record MadeDownload(DownloadFormat Format, string File, long SizeBytes, string Codecs, int? Width, int? Height);

/// <summary>A still made into the package folder.</summary>
public sealed record MadeStill(double Seconds, string File, int Width, int Height, long SizeBytes);

/// <summary>What making a job's extras cost and gave.</summary>
public sealed record MadeExtras(IReadOnlyList<MadeDownload> Downloads, IReadOnlyList<MadeStill> Stills, double CpuSeconds);

/// <summary>
/// The files a job asks for beside its package, made once the package is: downloads copied out of its segments
/// (no second encode: the MP4 is the H.264 rung's frames and the default audio track's, as viewers stream them), and
/// stills decoded from the source at the asked times.
/// </summary>
public sealed class PackageExtras(FfmpegProcess ffmpeg, IOptions<MediaOptions> options, IOptions<InputLimits> limits)
{
    /// <param name="plan">What the package was made from.</param>
    /// <param name="outputs">What the job asked for.</param>
    /// <param name="title">The finished package.</param>
    /// <param name="packageFolder">Where its playlists are, and where the extras go.</param>
    /// <param name="segmentFile">The local path of a file of the package (a segment), fetched first if it is not here.</param>
    /// <param name="inputPath">The source, for stills.</param>
    /// <param name="workFolder">Scratch for joined renditions.</param>
    /// <param name="cancellationToken">Stops the runs.</param>
    /// <exception cref="MediaException">ffmpeg failed.</exception>
    public async Task<MadeExtras> MakeAsync(LadderPlan plan, OutputOptions outputs, PackagedTitle title, string packageFolder,
        Func<string, CancellationToken, Task<string>> segmentFile, string inputPath, string workFolder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workFolder);
        var downloads = new List<MadeDownload>();
        var cpu = 0.0;
        var audio = title.Renditions.FirstOrDefault(r => r.Kind == RenditionKind.Audio && r.Default && (r.Channels ?? 2) <= 2)
            ?? title.Renditions.FirstOrDefault(r => r.Kind == RenditionKind.Audio);
        foreach (var download in outputs.Downloads)
        {
            var video = download.Format == DownloadFormat.Mp4
                ? title.Renditions.FirstOrDefault(r => r.Kind == RenditionKind.Video && r.Codecs.StartsWith("avc1", StringComparison.Ordinal)
                    && (download.Height is not { } height || Math.Min(r.Width ?? 0, r.Height ?? 0) == height))
                : null;
            var videoFile = video is null ? null : await JoinAsync(video, packageFolder, segmentFile, workFolder, cancellationToken);
            var audioFile = audio is null ? null : await JoinAsync(audio, packageFolder, segmentFile, workFolder, cancellationToken);
            if ((download.Format == DownloadFormat.Mp4 && videoFile is null) || (download.Format == DownloadFormat.M4a && audioFile is null))
            {
                throw new MediaException(MediaErrorKind.OutputsInvalid, $"outputs.downloads: the package has no {(videoFile is null ? "H.264 rung" : "audio")} to make a {download.Format.ToString().ToLowerInvariant()} of.");
            }

            var file = PackageLayout.Download(download.Format, video?.Name);
            var run = await ffmpeg.RunAsync(Request(FfmpegArguments.ForDownload(videoFile, audioFile, Path.Combine(packageFolder, file)), title.DurationSeconds), cancellationToken);
            cpu += run.CpuSeconds;
            var codecs = string.Join(',', new[] { video?.Codecs, audio?.Codecs }.OfType<string>());
            downloads.Add(new MadeDownload(download.Format, file, new FileInfo(Path.Combine(packageFolder, file)).Length, codecs, video?.Width, video?.Height));
        }

        var stills = new List<MadeStill>();
        if (outputs.Thumbnails is { Times.IsEmpty: false } asked && plan.Rungs.FirstOrDefault() is { } top)
        {
            var width = EvenRound(Math.Min(asked.Width, top.Width));
            var height = EvenRound(width * (double)top.Height / top.Width);
            var files = asked.Times.Select((_, i) => PackageLayout.Still(i + 1, asked.Format)).ToList();
            var run = await ffmpeg.RunAsync(Request(FfmpegArguments.ForStills(plan, inputPath, asked.Times, width, height, asked.Format,
                [.. files.Select(f => Path.Combine(packageFolder, f))], limits.Value.FormatAllowList), asked.Times.Length), cancellationToken);
            cpu += run.CpuSeconds;
            stills.AddRange(asked.Times.Select((t, i) => new MadeStill(t, files[i], width, height, new FileInfo(Path.Combine(packageFolder, files[i])).Length)));
        }

        return new MadeExtras(downloads, stills, cpu);
    }

    /// <summary>A rendition as one fragmented MP4: its init segment, then its media segments in order.</summary>
    private static async Task<string> JoinAsync(Rendition rendition, string packageFolder, Func<string, CancellationToken, Task<string>> segmentFile,
        string workFolder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(workFolder, Path.GetFileNameWithoutExtension(rendition.PlaylistUrl) + ".mp4");
        if (File.Exists(path))
        {
            return path;
        }

        var playlist = await File.ReadAllTextAsync(Path.Combine(packageFolder, rendition.PlaylistUrl), cancellationToken);
        await using var joined = File.Create(path + ".tmp");
        foreach (var part in HlsPlaylists.ReadSegments(playlist).Select(s => s.Uri).Prepend(HlsPlaylists.ReadInitSegment(playlist)!))
        {
            await using var segment = File.OpenRead(await segmentFile(part, cancellationToken));
            await segment.CopyToAsync(joined, cancellationToken);
        }

        await joined.DisposeAsync();
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    private FfmpegRequest Request(IReadOnlyList<string> arguments, double seconds)
    {
        var duration = TimeSpan.FromSeconds(Math.Max(1, seconds));
        return new(arguments, duration, options.Value.TimeLimit(duration), options.Value.CpuTimeLimit(duration));
    }

    private static int EvenRound(double value) => Math.Max(2, (int)Math.Round(value / 2, MidpointRounding.AwayFromZero) * 2);
}
