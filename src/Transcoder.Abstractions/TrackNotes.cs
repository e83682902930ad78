namespace Transcoder.Abstractions;

/// <summary>A track of the source the package does not carry, and why.</summary>
/// <param name="Kind">"audio" or "text".</param>
/// <param name="StreamIndex">Its stream index in the source.</param>
/// <param name="Codec">Its codec, as ffprobe names it (e.g. "hdmv_pgs_subtitle").</param>
/// <param name="Language">Its BCP 47 language, "und" when the source names none.</param>
/// <param name="Reason">A stable code: image_subtitles, not_selected, undecodable, too_many_tracks.</param>
/// <param name="Message">The reason for people.</param>
[GenerateSerializer, Immutable, Alias("transcoder.skipped-track")]
public sealed record SkippedTrack(
    [property: Id(0)] string Kind,
    [property: Id(1)] int StreamIndex,
    [property: Id(2)] string Codec,
    [property: Id(3)] string Language,
    [property: Id(4)] string Reason,
    [property: Id(5)] string Message);

/// <summary>The reasons a source track is left out of a package.</summary>
public static class SkipReasons
{
    public const string ImageSubtitles = "image_subtitles";
    public const string NotSelected = "not_selected";
    public const string Undecodable = "undecodable";
    public const string TooManyTracks = "too_many_tracks";
}

/// <summary>Something a completed job's owner should know about its package.</summary>
/// <param name="Code">A stable code, e.g. "input_truncated".</param>
/// <param name="Message">What it means, for people.</param>
/// <param name="DecodedSeconds">For a truncated input: the span the package holds.</param>
/// <param name="DeclaredSeconds">For a truncated input: the duration its header declares.</param>
[GenerateSerializer, Immutable, Alias("transcoder.job-warning")]
public sealed record JobWarning(
    [property: Id(0)] string Code,
    [property: Id(1)] string Message,
    [property: Id(2)] double? DecodedSeconds = null,
    [property: Id(3)] double? DeclaredSeconds = null);

/// <summary>Loudness of an audio track (EBU R128 / ITU-R BS.1770) before and after normalisation.</summary>
/// <param name="SourceLufs">Integrated loudness of the source track, LUFS.</param>
/// <param name="SourceTruePeakDb">Its true peak, dBTP.</param>
/// <param name="OutputLufs">Integrated loudness of the rendition, LUFS.</param>
/// <param name="OutputTruePeakDb">Its true peak, dBTP.</param>
/// <param name="Linear">True when one gain was applied to the whole track; false when it had to be compressed dynamically.</param>
[GenerateSerializer, Immutable, Alias("transcoder.loudness-figures")]
public sealed record LoudnessFigures(
    [property: Id(0)] double SourceLufs,
    [property: Id(1)] double SourceTruePeakDb,
    [property: Id(2)] double OutputLufs,
    [property: Id(3)] double OutputTruePeakDb,
    [property: Id(4)] bool Linear);
