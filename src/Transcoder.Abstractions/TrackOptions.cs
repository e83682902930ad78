using System.Collections.Immutable;

namespace Transcoder.Abstractions;

/// <summary>
/// What a job asks of its audio and text tracks: which audio languages to keep (all when none are named), a 5.1 track
/// beside the stereo one, a loudness target, and caption files sent with it. Equal when every part is equal, so a
/// replayed request with the same options is the same request.
/// </summary>
[GenerateSerializer, Immutable, Alias("transcoder.track-options")]
public sealed record TrackOptions
{
    /// <summary>The most audio tracks a package carries.</summary>
    public const int MaxAudioTracks = 16;

    /// <summary>The most text tracks a package carries (the source's and the job's caption files together).</summary>
    public const int MaxTextTracks = 32;

    /// <summary>BCP 47 languages of the source's audio to keep, in order of preference; empty keeps every track.</summary>
    [Id(0)] public ImmutableArray<string> AudioLanguages { get; init; } = [];

    /// <summary>Also make a 5.1 AAC track from every surround source track.</summary>
    [Id(1)] public bool Surround { get; init; }

    /// <summary>Normalise every audio track to this loudness; null leaves levels as they are.</summary>
    [Id(2)] public LoudnessTarget? Loudness { get; init; }

    /// <summary>Caption files submitted with the job, each a text rendition of its own.</summary>
    [Id(3)] public ImmutableArray<CaptionInput> Captions { get; init; } = [];

    /// <summary>Options that change nothing: every audio track, no surround copy, levels kept, no files.</summary>
    public static TrackOptions Default { get; } = new();

    /// <summary>True when these options make the same package as no options at all.</summary>
    public bool IsDefault => Equals(Default);

    public bool Equals(TrackOptions? other) =>
        other is not null
        && AudioLanguages.AsSpan().SequenceEqual(other.AudioLanguages.AsSpan())
        && Surround == other.Surround
        && Loudness == other.Loudness
        && Captions.AsSpan().SequenceEqual(other.Captions.AsSpan());

    public override int GetHashCode() => HashCode.Combine(AudioLanguages.Length, Surround, Loudness, Captions.Length);
}

/// <summary>A loudness to normalise to (EBU R128 / ITU-R BS.1770).</summary>
/// <param name="TargetLufs">Integrated loudness, LUFS: -70 to -5 (e.g. -23 broadcast, -16 or -14 streaming).</param>
/// <param name="TruePeakDb">Highest true peak, dBTP: -9 to 0.</param>
[GenerateSerializer, Immutable, Alias("transcoder.loudness-target")]
public sealed record LoudnessTarget([property: Id(0)] double TargetLufs, [property: Id(1)] double TruePeakDb = LoudnessTarget.DefaultTruePeakDb)
{
    public const double DefaultTruePeakDb = -1;
    public const double LowestLufs = -70;
    public const double HighestLufs = -5;
    public const double LowestTruePeakDb = -9;
    public const double HighestTruePeakDb = 0;
}

/// <summary>A caption or subtitle file sent with a job.</summary>
/// <param name="Kind">A URL the worker fetches (through the input's SSRF guard), or an object the API stored.</param>
/// <param name="Location">The URL, or the object key of a stored WebVTT file.</param>
/// <param name="Language">Its BCP 47 language.</param>
/// <param name="Name">What players call it; null for the language's name.</param>
/// <param name="Forced">Shown when the viewer chose no subtitles (foreign dialogue, signs).</param>
/// <param name="FileName">The file's name as sent, for messages about it.</param>
[GenerateSerializer, Immutable, Alias("transcoder.caption-input")]
public sealed record CaptionInput(
    [property: Id(0)] JobInputKind Kind,
    [property: Id(1)] string Location,
    [property: Id(2)] string Language,
    [property: Id(3)] string? Name = null,
    [property: Id(4)] bool Forced = false,
    [property: Id(5)] string? FileName = null);
