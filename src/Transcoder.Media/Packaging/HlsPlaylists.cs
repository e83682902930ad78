using System.Globalization;
using System.Text;
using Transcoder.Abstractions;

namespace Transcoder.Media.Packaging;

/// <summary>One media segment listed in an HLS media playlist.</summary>
public sealed record HlsSegment(string Uri, double Duration);

/// <summary>
/// HLS playlists (RFC 8216) written from the segment index, and read back where packaging and tests need it. Media
/// playlists are EVENT playlists while the title encodes (segments only ever appended) and VOD with EXT-X-ENDLIST
/// once it is complete; the target duration is fixed up front.
/// </summary>
public static class HlsPlaylists
{
    /// <summary>A media playlist of fMP4 segments.</summary>
    public static string Media(string initUri, IEnumerable<HlsSegment> segments, int targetDurationSeconds, bool complete)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{targetDurationSeconds}\n#EXT-X-PLAYLIST-TYPE:{(complete ? "VOD" : "EVENT")}\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"{initUri}\"\n");
        foreach (var segment in segments)
        {
            text.Append(CultureInfo.InvariantCulture, $"#EXTINF:{segment.Duration:0.000000},\n{segment.Uri}\n");
        }

        if (complete)
        {
            text.Append("#EXT-X-ENDLIST\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// The master playlist: every video rendition a variant (largest first) referring to the audio renditions as one
    /// group; with no video, the audio renditions are the variants. A variant's BANDWIDTH is its video's peak plus the
    /// largest audio peak (the largest sum any playable combination makes, as RFC 8216 asks), its CODECS the video's
    /// and the audio's.
    /// </summary>
    public static string Master(IReadOnlyList<Rendition> renditions)
    {
        var video = renditions.Where(r => r.Kind == RenditionKind.Video).ToList();
        var audio = renditions.Where(r => r.Kind == RenditionKind.Audio).ToList();
        var text = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (video.Count == 0)
        {
            foreach (var track in audio)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"#EXT-X-STREAM-INF:BANDWIDTH={track.Bandwidth},AVERAGE-BANDWIDTH={track.AverageBandwidth},CODECS=\"{track.Codecs}\"\n{track.PlaylistUrl}\n");
            }

            return text.ToString();
        }

        var group = audio.Count > 0 ? AudioGroup(audio[0].Codecs) : null;
        for (var i = 0; i < audio.Count; i++)
        {
            var track = audio[i];
            text.Append(CultureInfo.InvariantCulture, $"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"{group}\",NAME=\"{track.Name}\"");
            if (track.Language is { } language)
            {
                text.Append(CultureInfo.InvariantCulture, $",LANGUAGE=\"{language}\"");
            }

            text.Append(CultureInfo.InvariantCulture, $",DEFAULT={(i == 0 ? "YES" : "NO")},AUTOSELECT=YES");
            if (track.Channels is { } channels)
            {
                text.Append(CultureInfo.InvariantCulture, $",CHANNELS=\"{channels}\"");
            }

            text.Append(CultureInfo.InvariantCulture, $",URI=\"{track.PlaylistUrl}\"\n");
        }

        var audioPeak = audio.Count > 0 ? audio.Max(a => a.Bandwidth) : 0;
        var audioAverage = audio.Count > 0 ? audio.Max(a => a.AverageBandwidth) : 0;
        var audioCodecs = string.Join(',', audio.Select(a => a.Codecs).Distinct(StringComparer.Ordinal));
        foreach (var variant in video)
        {
            var codecs = audioCodecs.Length > 0 ? $"{variant.Codecs},{audioCodecs}" : variant.Codecs;
            text.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-STREAM-INF:BANDWIDTH={variant.Bandwidth + audioPeak},AVERAGE-BANDWIDTH={variant.AverageBandwidth + audioAverage},CODECS=\"{codecs}\"");
            text.Append(CultureInfo.InvariantCulture, $",RESOLUTION={variant.Width}x{variant.Height}");
            if (variant.FrameRate is { } rate)
            {
                text.Append(CultureInfo.InvariantCulture, $",FRAME-RATE={rate:0.000}");
            }

            if (group is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $",AUDIO=\"{group}\"");
            }

            text.Append('\n').Append(variant.PlaylistUrl).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The segments of a media playlist, in order.</summary>
    public static IReadOnlyList<HlsSegment> ReadSegments(string playlistText)
    {
        var segments = new List<HlsSegment>();
        double? pending = null;
        foreach (var raw in playlistText.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                var value = line["#EXTINF:".Length..].Split(',')[0];
                pending = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            else if (line.Length > 0 && !line.StartsWith('#') && pending is { } duration)
            {
                segments.Add(new HlsSegment(line, duration));
                pending = null;
            }
        }

        return segments;
    }

    /// <summary>The URI of the EXT-X-MAP initialization segment, if any.</summary>
    public static string? ReadInitSegment(string playlistText)
    {
        foreach (var raw in playlistText.Split('\n'))
        {
            var line = raw.Trim();
            const string prefix = "#EXT-X-MAP:URI=\"";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                var end = line.IndexOf('"', prefix.Length);
                return end > prefix.Length ? line[prefix.Length..end] : null;
            }
        }

        return null;
    }

    /// <summary>An audio group is named for its codec family: renditions of one group must be interchangeable.</summary>
    private static string AudioGroup(string codecs) => codecs.StartsWith("mp4a.40.", StringComparison.Ordinal) ? "aac" : codecs.Split('.')[0];
}
