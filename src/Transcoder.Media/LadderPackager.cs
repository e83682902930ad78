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
    private static readonly UTF8Encoding Utf8 = new(false);
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";

    /// <summary>Representation ids ffmpeg gives a plan's streams: the rungs in order, then audio.</summary>
    public static IReadOnlyList<int> Representations(LadderPlan plan) =>
        [.. Enumerable.Range(0, plan.Rungs.Length + (plan.AudioStreamIndex is null ? 0 : 1))];

    /// <exception cref="MediaException">ffmpeg's outputs are missing or inconsistent.</exception>
    public static PackagedLadder Finish(string outputFolder, LadderPlan plan)
    {
        var codecs = ReadCodecs(outputFolder, plan)
            ?? throw new MediaException(MediaErrorKind.EncodeFailed, "ffmpeg wrote no usable DASH manifest.");

        // The published media playlists are append-only EVENT playlists; ending them appends ENDLIST.
        foreach (var representation in Representations(plan))
        {
            var playlist = ReadPlaylist(outputFolder, representation);
            File.WriteAllText(Path.Combine(outputFolder, LadderLayout.MediaPlaylist(representation)),
                LivePlaylists.Media(playlist.Init, playlist.Segments, LivePlaylists.TargetDuration(plan), complete: true), Utf8);
        }

        Measured? audio = codecs.AudioRepresentation is { } audioId ? Measure(outputFolder, audioId) : null;
        var audioPlaylist = codecs.AudioRepresentation is { } a ? LadderLayout.MediaPlaylist(a) : null;
        var renditions = ImmutableArray.CreateBuilder<PackagedRendition>();
        for (var i = 0; i < plan.Rungs.Length; i++)
        {
            var rung = plan.Rungs[i];
            var video = Measure(outputFolder, i);
            renditions.Add(new PackagedRendition(
                rung.Name,
                rung.Width,
                rung.Height,
                video.PeakBitsPerSecond + (audio?.PeakBitsPerSecond ?? 0),
                video.AverageBitsPerSecond + (audio?.AverageBitsPerSecond ?? 0),
                codecs.ForRung(i),
                LadderLayout.MediaPlaylist(i),
                plan.FrameRate.ToDouble()));
        }

        if (renditions.Count == 0 && audio is { } audioOnly && audioPlaylist is not null)
        {
            // Audio-only source: the package is one audio rendition.
            renditions.Add(new PackagedRendition("audio", 0, 0, audioOnly.PeakBitsPerSecond, audioOnly.AverageBitsPerSecond,
                codecs.Audio!, audioPlaylist, 0));
        }

        var result = renditions.ToImmutable();
        File.WriteAllText(Path.Combine(outputFolder, LadderLayout.HlsMaster),
            WriteMaster(result, audioPlaylist, codecs.Audio is not null && plan.Rungs.Length > 0), Utf8);
        var duration = ReadPlaylist(outputFolder, 0).Segments.Sum(s => s.Duration);
        var storyboard = plan.Thumbnails is { } thumbnails && File.Exists(Path.Combine(outputFolder, LadderLayout.StoryboardImage))
            ? WriteStoryboardTrack(outputFolder, thumbnails, duration)
            : null;
        return new PackagedLadder(result, audioPlaylist, LadderLayout.HlsMaster, LadderLayout.DashManifest, duration)
        {
            Poster = File.Exists(Path.Combine(outputFolder, LadderLayout.Poster)) ? LadderLayout.Poster : null,
            StoryboardTrack = storyboard,
        };
    }

    /// <summary>
    /// The master playlist to publish before the encode ends, or null while ffmpeg's manifest does not yet name
    /// the codecs. Bandwidth is the larger of the peak measured so far (the short first segments) and the VBV
    /// bound for a full-length segment, so it is never below the real peak; the measured values replace it
    /// when the encode ends.
    /// </summary>
    public static string? EarlyMaster(string outputFolder, LadderPlan plan)
    {
        if (ReadCodecs(outputFolder, plan) is not { } codecs)
        {
            return null;
        }

        var audioBound = codecs.AudioRepresentation is null ? 0 : (long)Math.Ceiling(plan.AudioBitrate * 1.1);
        var audioPlaylist = codecs.AudioRepresentation is { } a ? LadderLayout.MediaPlaylist(a) : null;
        List<PackagedRendition> renditions = plan.Rungs.Length == 0
            ? [new PackagedRendition("audio", 0, 0, audioBound, 0, codecs.Audio!, audioPlaylist!, 0)]
            : [.. plan.Rungs.Select((rung, i) => new PackagedRendition(rung.Name, rung.Width, rung.Height,
                Math.Max(LivePlaylists.PeakBound(rung, plan.SegmentSeconds), Measure(outputFolder, i).PeakBitsPerSecond) + audioBound, 0, codecs.ForRung(i), LadderLayout.MediaPlaylist(i),
                plan.FrameRate.ToDouble()))];
        return WriteMaster(renditions, audioPlaylist, codecs.Audio is not null && plan.Rungs.Length > 0);
    }

    /// <summary>ffmpeg's own media playlist of a representation: its init segment and the segments it has closed.</summary>
    public static (string Init, IReadOnlyList<HlsSegment> Segments) ReadPlaylist(string folder, int representation)
    {
        var path = Path.Combine(folder, LadderLayout.MediaPlaylist(representation));
        if (!File.Exists(path))
        {
            throw new MediaException(MediaErrorKind.EncodeFailed,
                string.Create(CultureInfo.InvariantCulture, $"ffmpeg wrote no playlist for representation {representation}."));
        }

        var text = File.ReadAllText(path);
        var segments = HlsPlaylist.ReadSegments(text);
        return segments.Count > 0 && HlsPlaylist.ReadInitSegment(text) is { } init
            ? (init, segments)
            : throw new MediaException(MediaErrorKind.EncodeFailed, "ffmpeg wrote a playlist without segments.");
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

        File.WriteAllText(Path.Combine(folder, LadderLayout.StoryboardTrack), text.ToString(), Utf8);
        return LadderLayout.StoryboardTrack;
    }

    private static string Timestamp(double seconds) =>
        TimeSpan.FromSeconds(seconds).ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);

    /// <summary>Codecs per representation from ffmpeg's DASH manifest (dynamic while it runs, static after).</summary>
    private static Codecs? ReadCodecs(string folder, LadderPlan plan)
    {
        XDocument manifest;
        try
        {
            manifest = XDocument.Load(Path.Combine(folder, LadderLayout.DashManifest));
        }
        catch (Exception ex) when (ex is IOException or System.Xml.XmlException)
        {
            return null;
        }

        var byId = manifest.Descendants(Mpd + "Representation")
            .Where(r => r.Attribute("id") is not null && r.Attribute("codecs") is not null)
            .ToDictionary(r => r.Attribute("id")!.Value, r => r.Attribute("codecs")!.Value, StringComparer.Ordinal);
        var video = new List<string>();
        for (var i = 0; i < plan.Rungs.Length; i++)
        {
            if (!byId.TryGetValue(i.ToString(CultureInfo.InvariantCulture), out var codec))
            {
                return null;
            }

            video.Add(codec);
        }

        int? audioId = plan.AudioStreamIndex is null ? null : plan.Rungs.Length;
        string? audio = null;
        if (audioId is { } id && !byId.TryGetValue(id.ToString(CultureInfo.InvariantCulture), out audio))
        {
            return null;
        }

        return new Codecs(video, audio, audioId);
    }

    private static Measured Measure(string folder, int representation)
    {
        long peak = 0;
        long totalBytes = 0;
        double totalSeconds = 0;
        foreach (var segment in ReadPlaylist(folder, representation).Segments)
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

    private readonly record struct Measured(long PeakBitsPerSecond, long AverageBitsPerSecond);

    private sealed record Codecs(IReadOnlyList<string> Video, string? Audio, int? AudioRepresentation)
    {
        public string ForRung(int rung) => Audio is null ? Video[rung] : $"{Video[rung]},{Audio}";
    }
}
