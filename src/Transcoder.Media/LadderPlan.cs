using System.Collections.Immutable;

namespace Transcoder.Media;

/// <summary>One rung as it will be encoded.</summary>
public sealed record PlannedRung(string Name, int Width, int Height, long Bitrate, long MaxRate, long BufferSize);

/// <summary>
/// The poster and the storyboard sprite made by the same ffmpeg run as the ladder: thumbnails every
/// <paramref name="IntervalSeconds"/>, <paramref name="Columns"/> by <paramref name="Rows"/> in one image.
/// </summary>
public sealed record ThumbnailPlan(
    int PosterFrame,
    int PosterWidth,
    int PosterHeight,
    double IntervalSeconds,
    int Count,
    int Columns,
    int Rows,
    int Width,
    int Height);

/// <summary>Everything the encoder needs to make one job's ladder.</summary>
public sealed record LadderPlan
{
    /// <summary>Largest first. Empty for an audio-only source.</summary>
    public required ImmutableArray<PlannedRung> Rungs { get; init; }

    /// <summary>Stream index of the video to encode, or null for audio-only.</summary>
    public int? VideoStreamIndex { get; init; }

    /// <summary>Stream index of the audio to encode, or null for video-only.</summary>
    public int? AudioStreamIndex { get; init; }

    /// <summary>Constant output frame rate.</summary>
    public Rational FrameRate { get; init; } = Rational.Zero;

    /// <summary>Display aspect ratio every rung shares, so players can switch between them.</summary>
    public Rational DisplayAspect { get; init; } = Rational.One;

    public bool Deinterlace { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>Segment length, which is also the keyframe interval.</summary>
    public required int SegmentSeconds { get; init; }

    /// <summary>Length of the first, shorter segments that let playback start early.</summary>
    public required int FirstSegmentSeconds { get; init; }

    public required string Preset { get; init; }

    public required int Crf { get; init; }

    public required int AudioBitrate { get; init; }

    /// <summary>Poster and storyboard; null for audio-only sources.</summary>
    public ThumbnailPlan? Thumbnails { get; init; }

    /// <summary>Most frames between keyframes at <see cref="FrameRate"/>: one segment.</summary>
    public int GopFrames => Math.Max(1, (int)Math.Round(FrameRate.ToDouble() * SegmentSeconds));
}
