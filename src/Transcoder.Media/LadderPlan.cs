using System.Collections.Immutable;
using Transcoder.Abstractions;
using Transcoder.Media.Packaging;

namespace Transcoder.Media;

/// <summary>One rung as it will be encoded.</summary>
public sealed record PlannedRung(string Name, int Width, int Height, long Bitrate, long MaxRate, long BufferSize);

/// <summary>The audio track as it will be encoded.</summary>
/// <param name="StreamIndex">Its stream index in the source.</param>
/// <param name="Bitrate">Bits per second of the encode.</param>
/// <param name="Channels">Channels out (surround is mixed down).</param>
/// <param name="SampleRate">Samples per second out.</param>
/// <param name="Language">ISO 639-2 language of the source track, when it names one.</param>
public sealed record PlannedAudio(int StreamIndex, int Bitrate, int Channels, int SampleRate, string? Language);

/// <summary>A video encoder the ladder can use, and what the plan tells it.</summary>
/// <param name="Encoder">ffmpeg's name of the encoder.</param>
/// <param name="Profile">The profile every rung is encoded in.</param>
public sealed record VideoCodec(string Encoder, string Profile)
{
    /// <summary>H.264 High with x264: what every player decodes.</summary>
    public static VideoCodec H264 { get; } = new("libx264", "high");
}

/// <summary>An audio encoder the ladder can use.</summary>
/// <param name="Encoder">ffmpeg's name of the encoder.</param>
public sealed record AudioCodec(string Encoder)
{
    /// <summary>AAC-LC: what every player decodes.</summary>
    public static AudioCodec Aac { get; } = new("aac");
}

/// <summary>One rendition of the package as planned: its representation id and what it is encoded to.</summary>
/// <param name="Id">The representation id ("v0", "a0"), which names its files.</param>
/// <param name="Kind">Video or audio.</param>
/// <param name="Name">"720p", or "audio".</param>
/// <param name="Width">Video width.</param>
/// <param name="Height">Video height.</param>
/// <param name="Bitrate">Nominal bits per second.</param>
/// <param name="PeakRate">Most bits per second the encoder may spend over time (VBV maxrate; the bitrate for audio).</param>
/// <param name="BufferBits">Bits the encoder may spend above <paramref name="PeakRate"/> at once (VBV buffer); 0 for audio.</param>
public sealed record PlannedRendition(string Id, RenditionKind Kind, string Name, int? Width, int? Height, long Bitrate, long PeakRate, long BufferBits)
{
    /// <summary>
    /// An upper bound on a segment's bit rate before any is measured: the VBV model lets a segment of S seconds carry
    /// at most maxrate x S + bufsize bits; audio at a set bitrate stays within a tenth of it.
    /// </summary>
    public long PeakBound(int segmentSeconds) => Kind == RenditionKind.Video
        ? (long)Math.Ceiling(PeakRate + ((double)BufferBits / segmentSeconds))
        : (long)Math.Ceiling(PeakRate * 1.1);
}

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

/// <summary>Everything the encoder and the packager need to make one job's ladder.</summary>
public sealed record LadderPlan
{
    /// <summary>Largest first. Empty for an audio-only source.</summary>
    public required ImmutableArray<PlannedRung> Rungs { get; init; }

    /// <summary>Stream index of the video to encode, or null for audio-only.</summary>
    public int? VideoStreamIndex { get; init; }

    /// <summary>The audio track to encode, or null for video-only.</summary>
    public PlannedAudio? Audio { get; init; }

    public VideoCodec VideoCodec { get; init; } = VideoCodec.H264;

    public AudioCodec AudioCodec { get; init; } = AudioCodec.Aac;

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

    /// <summary>Poster and storyboard; null for audio-only sources.</summary>
    public ThumbnailPlan? Thumbnails { get; init; }

    /// <summary>Most frames between keyframes at <see cref="FrameRate"/>: one segment.</summary>
    public int GopFrames => Math.Max(1, (int)Math.Round(FrameRate.ToDouble() * SegmentSeconds));

    /// <summary>The renditions of the package, in the order of its manifests: video largest first, then audio.</summary>
    public IReadOnlyList<PlannedRendition> Renditions =>
    [
        .. Rungs.Select((r, i) => new PlannedRendition(PackageLayout.VideoId(i), RenditionKind.Video, r.Name, r.Width, r.Height, r.Bitrate, r.MaxRate, r.BufferSize)),
        .. Audio is { } audio ? [new PlannedRendition(PackageLayout.AudioId(0), RenditionKind.Audio, "audio", null, null, audio.Bitrate, audio.Bitrate, 0)] : Array.Empty<PlannedRendition>(),
    ];

    /// <summary>
    /// Where segment <paramref name="index"/> (0-based) starts, in seconds, which is where a keyframe is: at 0, then
    /// every <see cref="FirstSegmentSeconds"/> until <see cref="SegmentSeconds"/>, then every <see cref="SegmentSeconds"/>
    /// (with 1 and 2: 0, 1, 2, 4, 6, ...).
    /// </summary>
    public double SegmentStart(int index)
    {
        var shortOnes = SegmentSeconds / FirstSegmentSeconds;
        return index < shortOnes ? index * FirstSegmentSeconds : (index - (shortOnes - 1)) * (double)SegmentSeconds;
    }
}
