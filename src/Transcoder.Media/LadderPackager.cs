using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Transcoder.Media;

/// <summary>
/// Finishes what ffmpeg wrote: measures every rendition's real peak and average bitrate from its segments
/// (ffmpeg 5.1 declares the nominal rate, below the real peak) and writes the HLS master playlist with
/// BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION, CODECS and FRAME-RATE for every variant.
/// </summary>
public static class LadderPackager
{
    private const string AudioGroup = "aac";
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";

    /// <exception cref="MediaException">ffmpeg's outputs are missing or inconsistent.</exception>
    public static PackagedLadder Finish(string outputFolder, LadderPlan plan)
    {
        var manifestPath = Path.Combine(outputFolder, LadderLayout.DashManifest);
        if (!File.Exists(manifestPath))
        {
            throw new MediaException(MediaErrorKind.EncodeFailed, "ffmpeg wrote no DASH manifest.");
        }

        var manifest = XDocument.Load(manifestPath);
        var representations = manifest.Descendants(Mpd + "Representation").ToList();

        int? audioRepresentation = plan.AudioStreamIndex is null ? null : plan.Rungs.Length;
        string? audioCodecs = null;
        Measured? audio = null;
        if (audioRepresentation is { } audioId)
        {
            audioCodecs = FindRepresentation(representations, audioId).Attribute("codecs")?.Value ?? "mp4a.40.2";
            audio = Measure(outputFolder, audioId);
        }

        var renditions = ImmutableArray.CreateBuilder<PackagedRendition>();
        var frameRate = plan.FrameRate.ToDouble();
        for (var i = 0; i < plan.Rungs.Length; i++)
        {
            var rung = plan.Rungs[i];
            var representation = FindRepresentation(representations, i);
            var videoCodecs = representation.Attribute("codecs")?.Value
                ?? throw new MediaException(MediaErrorKind.EncodeFailed, "The DASH manifest names no video codec.");
            var video = Measure(outputFolder, i);
            renditions.Add(new PackagedRendition(
                rung.Name,
                rung.Width,
                rung.Height,
                video.PeakBitsPerSecond + (audio?.PeakBitsPerSecond ?? 0),
                video.AverageBitsPerSecond + (audio?.AverageBitsPerSecond ?? 0),
                audioCodecs is null ? videoCodecs : $"{videoCodecs},{audioCodecs}",
                LadderLayout.MediaPlaylist(i),
                frameRate));
        }

        var audioPlaylist = audioRepresentation is { } a ? LadderLayout.MediaPlaylist(a) : null;
        if (renditions.Count == 0 && audio is { } audioOnly && audioPlaylist is not null)
        {
            // Audio-only source: the package is one audio rendition.
            renditions.Add(new PackagedRendition("audio", 0, 0, audioOnly.PeakBitsPerSecond, audioOnly.AverageBitsPerSecond,
                audioCodecs ?? "mp4a.40.2", audioPlaylist, 0));
        }

        var result = renditions.ToImmutable();
        var master = WriteMaster(result, audioPlaylist, audioCodecs is not null && plan.Rungs.Length > 0);
        File.WriteAllText(Path.Combine(outputFolder, LadderLayout.HlsMaster), master, new UTF8Encoding(false));
        var duration = MeasureDuration(outputFolder, plan.Rungs.Length > 0 ? 0 : audioRepresentation ?? 0);
        var storyboard = plan.Thumbnails is { } thumbnails && File.Exists(Path.Combine(outputFolder, LadderLayout.StoryboardImage))
            ? WriteStoryboardTrack(outputFolder, thumbnails, duration)
            : null;
        return new PackagedLadder(result, audioPlaylist, LadderLayout.HlsMaster, LadderLayout.DashManifest, duration)
        {
            Poster = File.Exists(Path.Combine(outputFolder, LadderLayout.Poster)) ? LadderLayout.Poster : null,
            StoryboardTrack = storyboard,
        };
    }

    /// <summary>The master playlist text; variants are listed largest first.</summary>
    internal static string WriteMaster(IReadOnlyList<PackagedRendition> renditions, string? audioPlaylist, bool separateAudio)
    {
        var text = new StringBuilder();
        text.Append("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (separateAudio && audioPlaylist is not null)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"{AudioGroup}\",NAME=\"default\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"{audioPlaylist}\"\n");
        }

        foreach (var rendition in renditions)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-STREAM-INF:BANDWIDTH={rendition.Bandwidth},AVERAGE-BANDWIDTH={rendition.AverageBandwidth},CODECS=\"{rendition.Codecs}\"");
            if (rendition.Width > 0)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $",RESOLUTION={rendition.Width}x{rendition.Height},FRAME-RATE={rendition.FrameRate:0.000}");
            }

            if (separateAudio && audioPlaylist is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $",AUDIO=\"{AudioGroup}\"");
            }

            text.Append('\n').Append(rendition.Playlist).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A WebVTT track whose cues point into the sprite (#xywh=), as players' seek previews expect.</summary>
    internal static string WriteStoryboardTrack(string folder, ThumbnailPlan plan, double durationSeconds)
    {
        var text = new StringBuilder("WEBVTT\n");
        var count = Math.Min(plan.Count, Math.Max(1, (int)Math.Ceiling(durationSeconds / plan.IntervalSeconds)));
        for (var i = 0; i < count; i++)
        {
            var start = i * plan.IntervalSeconds;
            var end = Math.Min((i + 1) * plan.IntervalSeconds, durationSeconds);
            var x = i % plan.Columns * plan.Width;
            var y = i / plan.Columns * plan.Height;
            text.Append(CultureInfo.InvariantCulture,
                $"\n{Timestamp(start)} --> {Timestamp(end)}\n{LadderLayout.StoryboardImage}#xywh={x},{y},{plan.Width},{plan.Height}\n");
        }

        File.WriteAllText(Path.Combine(folder, LadderLayout.StoryboardTrack), text.ToString(), new UTF8Encoding(false));
        return LadderLayout.StoryboardTrack;
    }

    private static string Timestamp(double seconds) =>
        TimeSpan.FromSeconds(seconds).ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);

    private static XElement FindRepresentation(List<XElement> representations, int id) =>
        representations.FirstOrDefault(r => r.Attribute("id")?.Value == id.ToString(CultureInfo.InvariantCulture))
        ?? throw new MediaException(MediaErrorKind.EncodeFailed,
            string.Create(CultureInfo.InvariantCulture, $"The DASH manifest has no representation {id}."));

    private static Measured Measure(string folder, int representation)
    {
        var segments = ReadPlaylist(folder, representation);
        long peak = 0;
        long totalBytes = 0;
        double totalSeconds = 0;
        foreach (var segment in segments)
        {
            var bytes = new FileInfo(Path.Combine(folder, segment.Uri)).Length;
            totalBytes += bytes;
            totalSeconds += segment.Duration;
            if (segment.Duration > 0)
            {
                peak = Math.Max(peak, (long)Math.Ceiling(bytes * 8 / segment.Duration));
            }
        }

        var average = totalSeconds > 0 ? (long)Math.Ceiling(totalBytes * 8 / totalSeconds) : 0;
        return new Measured(peak, average);
    }

    private static double MeasureDuration(string folder, int representation) =>
        ReadPlaylist(folder, representation).Sum(s => s.Duration);

    private static IReadOnlyList<HlsSegment> ReadPlaylist(string folder, int representation)
    {
        var path = Path.Combine(folder, LadderLayout.MediaPlaylist(representation));
        if (!File.Exists(path))
        {
            throw new MediaException(MediaErrorKind.EncodeFailed,
                string.Create(CultureInfo.InvariantCulture, $"ffmpeg wrote no playlist for representation {representation}."));
        }

        var segments = HlsPlaylist.ReadSegments(File.ReadAllText(path));
        return segments.Count > 0
            ? segments
            : throw new MediaException(MediaErrorKind.EncodeFailed, "ffmpeg wrote a playlist without segments.");
    }

    private readonly record struct Measured(long PeakBitsPerSecond, long AverageBitsPerSecond);
}
