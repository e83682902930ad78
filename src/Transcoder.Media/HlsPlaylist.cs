using System.Globalization;

namespace Transcoder.Media;

/// <summary>One media segment listed in an HLS media playlist.</summary>
public sealed record HlsSegment(string Uri, double Duration);

/// <summary>Reads the parts of HLS media playlists that packaging and tests need.</summary>
public static class HlsPlaylist
{
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
}
