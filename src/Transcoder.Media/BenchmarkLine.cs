using System.Globalization;
using System.Text.RegularExpressions;

namespace Transcoder.Media;

/// <summary>Reads ffmpeg's "-benchmark" summary: "bench: utime=12.345s stime=0.678s rtime=9.100s".</summary>
public static partial class BenchmarkLine
{
    /// <summary>User plus system seconds, or null if the line is not the summary.</summary>
    public static double? TryParseCpuSeconds(string line)
    {
        var match = Summary().Match(line);
        if (!match.Success)
        {
            return null;
        }

        return double.Parse(match.Groups[1].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture)
            + double.Parse(match.Groups[2].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^bench: utime=([0-9.]+)s stime=([0-9.]+)s rtime=[0-9.]+s", RegexOptions.CultureInvariant)]
    private static partial Regex Summary();
}
