using System.Globalization;
using System.Text;

namespace Transcoder.Captions;

/// <summary>
/// WebVTT as packages carry it: one whole file (what a DASH text adaptation set points to), and segments on the
/// package's time grid for HLS (RFC 8216 section 3.5), each with an X-TIMESTAMP-MAP that puts cue time 0 at media
/// time 0, which is where the package's video and audio start. A cue that spans a segment edge is in both segments,
/// with the same times, as players expect.
/// </summary>
public static class WebVtt
{
    /// <summary>The MIME type of WebVTT.</summary>
    public const string ContentType = "text/vtt";

    /// <summary>The header line of every segment: cue time 0 is media time 0 (in the 90 kHz clock of MPEG-2 timestamps).</summary>
    public const string TimestampMap = "X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000";

    /// <summary>A whole WebVTT file of <paramref name="cues"/>.</summary>
    public static string Document(IEnumerable<Cue> cues)
    {
        var text = new StringBuilder("WEBVTT\n");
        AppendCues(text, cues);
        return text.ToString();
    }

    /// <summary>The segment from <paramref name="from"/> to <paramref name="to"/> (null: to the end): every cue showing in it.</summary>
    public static string Segment(IEnumerable<Cue> cues, TimeSpan from, TimeSpan? to)
    {
        var text = new StringBuilder("WEBVTT\n").Append(TimestampMap).Append('\n');
        AppendCues(text, cues.Where(c => c.End > from && (to is null || c.Start < to)));
        return text.ToString();
    }

    /// <summary>"hh:mm:ss.ttt".</summary>
    public static string Timestamp(TimeSpan time)
    {
        var milliseconds = (long)Math.Round(Math.Max(0, time.TotalMilliseconds));
        return string.Create(CultureInfo.InvariantCulture,
            $"{milliseconds / 3_600_000:00}:{milliseconds / 60_000 % 60:00}:{milliseconds / 1000 % 60:00}.{milliseconds % 1000:000}");
    }

    private static void AppendCues(StringBuilder text, IEnumerable<Cue> cues)
    {
        foreach (var cue in cues)
        {
            text.Append('\n').Append(Timestamp(cue.Start)).Append(" --> ").Append(Timestamp(cue.End));
            if (cue.Settings is { } settings)
            {
                text.Append(' ').Append(settings);
            }

            text.Append('\n').Append(cue.Text).Append('\n');
        }
    }
}
