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
    /// <summary>A media playlist of fMP4 segments (with their initialization segment), or of WebVTT segments (without).</summary>
    public static string Media(string? initUri, IEnumerable<HlsSegment> segments, int targetDurationSeconds, bool complete)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{targetDurationSeconds}\n#EXT-X-PLAYLIST-TYPE:{(complete ? "VOD" : "EVENT")}\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (initUri is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"#EXT-X-MAP:URI=\"{initUri}\"\n");
        }

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
    /// The master playlist. Audio renditions are alternatives in a group (RFC 8216 section 4.3.4.1.1): one of stereo
    /// tracks and, when there are surround ones, a second where each language's surround track stands in for its
    /// stereo one, each variant listed once per group (stereo first, as Apple's authoring spec asks). Text renditions
    /// are a SUBTITLES group. A variant's BANDWIDTH is its video's peak plus the largest audio peak of its group plus
    /// the largest text peak (the largest sum any playable combination makes, as RFC 8216 asks), its CODECS the
    /// video's and its group's audio; every rung of every codec is a variant of its own, and once one is HDR every
    /// variant says its VIDEO-RANGE. Each audio group also gets an audio-only variant (its default track's playlist),
    /// for a link too poor for any picture. With no video, the audio renditions are the variants (several: each names
    /// the group, so a player can switch language).
    /// </summary>
    public static string Master(IReadOnlyList<Rendition> renditions)
    {
        var video = renditions.Where(r => r.Kind == RenditionKind.Video).ToList();
        var audio = renditions.Where(r => r.Kind == RenditionKind.Audio).ToList();
        var text = renditions.Where(r => r.Kind == RenditionKind.Text).ToList();
        var master = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (video.Count == 0 && audio.Count == 1)
        {
            var track = audio[0];
            master.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-STREAM-INF:BANDWIDTH={track.Bandwidth},AVERAGE-BANDWIDTH={track.AverageBandwidth},CODECS=\"{track.Codecs}\"\n{track.PlaylistUrl}\n");
            return master.ToString();
        }

        var groups = AudioGroups(audio);
        foreach (var (group, members) in groups)
        {
            AppendMedia(master, "AUDIO", group, members);
        }

        const string subtitles = "subs";
        if (text.Count > 0)
        {
            AppendMedia(master, "SUBTITLES", subtitles, text);
        }

        // VIDEO-RANGE on every variant once one is HDR, so a player that cannot show it keeps to the SDR ones.
        var ranges = video.Any(v => v.VideoRange is "PQ" or "HLG");
        var textPeak = text.Count > 0 ? text.Max(t => t.Bandwidth) : 0;
        var textAverage = text.Count > 0 ? text.Max(t => t.AverageBandwidth) : 0;
        foreach (var (group, members) in groups.Count > 0 ? groups : [(null!, [])])
        {
            var audioPeak = members.Count > 0 ? members.Max(a => a.Bandwidth) : 0;
            var audioAverage = members.Count > 0 ? members.Max(a => a.AverageBandwidth) : 0;
            var audioCodecs = string.Join(',', members.Select(a => a.Codecs).Distinct(StringComparer.Ordinal));
            var variants = video.Count > 0 ? video : [members.FirstOrDefault(m => m.Default) ?? members[0]];
            foreach (var variant in variants)
            {
                var own = variant.Kind == RenditionKind.Video;
                var codecs = !own ? audioCodecs : audioCodecs.Length > 0 ? $"{variant.Codecs},{audioCodecs}" : variant.Codecs;
                var peak = (own ? variant.Bandwidth : 0) + audioPeak + textPeak;
                var average = (own ? variant.AverageBandwidth : 0) + audioAverage + textAverage;
                master.Append(CultureInfo.InvariantCulture, $"#EXT-X-STREAM-INF:BANDWIDTH={peak},AVERAGE-BANDWIDTH={average},CODECS=\"{codecs}\"");
                if (own)
                {
                    master.Append(CultureInfo.InvariantCulture, $",RESOLUTION={variant.Width}x{variant.Height}");
                    if (variant.FrameRate is { } rate)
                    {
                        master.Append(CultureInfo.InvariantCulture, $",FRAME-RATE={rate:0.000}");
                    }

                    if (ranges)
                    {
                        master.Append(CultureInfo.InvariantCulture, $",VIDEO-RANGE={variant.VideoRange ?? "SDR"}");
                    }
                }

                if (group is not null)
                {
                    master.Append(CultureInfo.InvariantCulture, $",AUDIO=\"{group}\"");
                }

                if (text.Count > 0)
                {
                    master.Append(CultureInfo.InvariantCulture, $",SUBTITLES=\"{subtitles}\"");
                }

                master.Append('\n').Append(variant.PlaylistUrl).Append('\n');
            }

            if (video.Count > 0 && members.Count > 0)
            {
                // An audio-only variant, so a viewer whose link cannot carry the smallest picture keeps hearing: the
                // group's default track (a player may switch to another of the group as with any variant).
                var own = members.FirstOrDefault(m => m.Default) ?? members[0];
                master.Append(CultureInfo.InvariantCulture,
                    $"#EXT-X-STREAM-INF:BANDWIDTH={audioPeak},AVERAGE-BANDWIDTH={audioAverage},CODECS=\"{audioCodecs}\",AUDIO=\"{group}\"\n{own.PlaylistUrl}\n");
            }
        }

        return master.ToString();
    }

    /// <summary>
    /// The audio groups: every stereo track; and, with surround tracks, a group where each surround track replaces the
    /// stereo one of the same language and role (the stereo ones of languages without surround stay).
    /// </summary>
    private static List<(string Group, List<Rendition> Members)> AudioGroups(List<Rendition> audio)
    {
        var groups = new List<(string, List<Rendition>)>();
        var stereo = audio.Where(a => a.Channels is null or <= 2).ToList();
        var surround = audio.Where(a => a.Channels > 2).ToList();
        if (stereo.Count > 0)
        {
            groups.Add((AudioGroup(stereo[0].Codecs), stereo));
        }

        if (surround.Count > 0)
        {
            var members = stereo
                .Select(s => surround.FirstOrDefault(x => x.Language == s.Language && x.Role == s.Role && x.Default == s.Default) ?? s)
                .Concat(surround)
                .Distinct()
                .ToList();
            groups.Add((AudioGroup(surround[0].Codecs) + "-surround", members));
        }

        return groups;
    }

    /// <summary>EXT-X-MEDIA tags for a group: exactly one DEFAULT=YES for audio (the default track, else the first); for text only the default track's.</summary>
    private static void AppendMedia(StringBuilder master, string type, string group, List<Rendition> members)
    {
        var audio = type == "AUDIO";
        var chosen = members.FirstOrDefault(m => m.Default) ?? (audio ? members[0] : null);
        foreach (var track in members)
        {
            master.Append(CultureInfo.InvariantCulture, $"#EXT-X-MEDIA:TYPE={type},GROUP-ID=\"{group}\",NAME=\"{Quoted(track.Name)}\"");
            if (track.Language is { } language)
            {
                master.Append(CultureInfo.InvariantCulture, $",LANGUAGE=\"{language}\"");
            }

            master.Append(CultureInfo.InvariantCulture, $",DEFAULT={(ReferenceEquals(track, chosen) ? "YES" : "NO")},AUTOSELECT=YES");
            if (track.Forced)
            {
                master.Append(",FORCED=YES");
            }

            if (Characteristics(track) is { } characteristics)
            {
                master.Append(CultureInfo.InvariantCulture, $",CHARACTERISTICS=\"{characteristics}\"");
            }

            if (track.Channels is { } channels)
            {
                master.Append(CultureInfo.InvariantCulture, $",CHANNELS=\"{channels}\"");
            }

            master.Append(CultureInfo.InvariantCulture, $",URI=\"{track.PlaylistUrl}\"\n");
        }
    }

    /// <summary>Apple's media characteristics tags (UTIs) for accessibility roles.</summary>
    private static string? Characteristics(Rendition track) => track.Role switch
    {
        Rendition.Roles.Description => "public.accessibility.describes-video",
        Rendition.Roles.Captions => "public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound",
        _ => null,
    };

    /// <summary>A quoted-string may hold neither a double quote nor a line break (RFC 8216 section 4.2).</summary>
    private static string Quoted(string text) => new([.. text.Where(c => c is not ('"' or '\r' or '\n'))]);

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
