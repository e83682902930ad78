using System.Globalization;
using System.Text;

namespace Transcoder.Media;

/// <summary>
/// The playlists viewers get while a job is still encoding. Media playlists are EVENT playlists: segments are
/// only ever appended, and <c>#EXT-X-ENDLIST</c> is appended when the encode ends, which turns them into VOD
/// without changing a line a player has already read. The target duration is fixed up front, as HLS requires.
/// </summary>
public static class LivePlaylists
{
    /// <summary>An EVENT media playlist listing <paramref name="segments"/>, ended when <paramref name="complete"/>.</summary>
    public static string Media(string initSegment, IReadOnlyList<HlsSegment> segments, int targetDurationSeconds, bool complete)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{targetDurationSeconds}\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"{initSegment}\"\n");
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
    /// The target duration every media playlist of a plan declares: the segment length plus a second, so a
    /// segment that ends a frame or two late still fits.
    /// </summary>
    public static int TargetDuration(LadderPlan plan) => plan.SegmentSeconds + 1;

    /// <summary>
    /// An upper bound on a rung's peak segment bitrate before any segment is measured: the VBV model lets a
    /// segment of S seconds carry at most maxrate x S + bufsize bits.
    /// </summary>
    public static long PeakBound(PlannedRung rung, int segmentSeconds) =>
        (long)Math.Ceiling(rung.MaxRate + ((double)rung.BufferSize / segmentSeconds));
}
