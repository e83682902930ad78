using System.Globalization;
using System.Text.RegularExpressions;

namespace Transcoder.Media;

/// <summary>
/// Encode progress from the segments the DASH muxer opens ("Opening '…/chunk-0-00012.m4s.tmp' for writing" on
/// stderr): when segment n opens, everything before its start is encoded. ffmpeg's own progress (time=) stays
/// N/A until every output has written its first frame, and the storyboard writes its one frame at the very end,
/// so without this a job would sit at the start of encoding until it is nearly done.
/// </summary>
public sealed partial class SegmentProgress(LadderPlan plan, IProgress<double> progress)
{
    /// <summary>Reads one line of ffmpeg's stderr; other lines are ignored.</summary>
    public void Add(string line)
    {
        var opening = Opening().Match(line);
        if (!opening.Success || plan.Duration <= TimeSpan.Zero)
        {
            return;
        }

        var number = int.Parse(opening.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
        var encoded = FfmpegArguments.SegmentStart(plan, number - 1);
        progress.Report(Math.Clamp(encoded / plan.Duration.TotalSeconds, 0, 1));
    }

    // Representation 0: the first rung, or the audio of an audio-only ladder.
    [GeneratedRegex(@"Opening '[^']*chunk-0-(\d+)\.m4s(?:\.tmp)?' for writing")]
    private static partial Regex Opening();
}
