using System.Collections.Immutable;
using System.Globalization;
using Transcoder.Abstractions;

namespace Transcoder.Media;

/// <summary>
/// Compares what was decoded with what the source declares. A file whose header promises more than its data holds
/// (an MP4 with its index first, cut short) decodes to a shorter title with nothing else amiss: the package then holds
/// the decodable span and the job says so, or, with almost nothing decodable, the job fails as input_truncated.
/// </summary>
public static class TruncationCheck
{
    /// <summary>Less than this decoded is no title at all.</summary>
    private static readonly TimeSpan LeastUseful = TimeSpan.FromSeconds(1);

    /// <summary>The warnings for a package of <paramref name="decodedSeconds"/> from <paramref name="source"/>.</summary>
    /// <exception cref="MediaException">Almost nothing of a truncated source decoded (<see cref="MediaErrorKind.InputTruncated"/>).</exception>
    public static ImmutableArray<JobWarning> Check(SourceInfo source, double decodedSeconds)
    {
        // The stream the title's length is measured on: the video's when there is video, else the audio's.
        var declared = (source.Video?.Duration ?? source.Audio?.Duration) is { } stream && stream > TimeSpan.Zero ? stream : source.Duration;
        var shortfall = declared.TotalSeconds - decodedSeconds;
        var tolerance = Math.Max(1.0, declared.TotalSeconds * 0.02);
        if (declared <= TimeSpan.Zero || shortfall <= tolerance)
        {
            return [];
        }

        var message = string.Create(CultureInfo.InvariantCulture,
            $"The input is truncated: its header declares {declared.TotalSeconds:0.###} s but only {decodedSeconds:0.###} s could be decoded.");
        if (decodedSeconds < LeastUseful.TotalSeconds)
        {
            throw new MediaException(MediaErrorKind.InputTruncated, message);
        }

        return [new JobWarning(JobErrorCodes.InputTruncated, message + " The package holds what could be decoded.",
            Math.Round(decodedSeconds, 3), Math.Round(declared.TotalSeconds, 3))];
    }
}
