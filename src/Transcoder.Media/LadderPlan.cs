using System.Collections.Immutable;
using System.Globalization;
using Transcoder.Abstractions;
using Transcoder.Media.Packaging;

namespace Transcoder.Media;

/// <summary>One rung as it will be encoded.</summary>
public sealed record PlannedRung(string Name, int Width, int Height, long Bitrate, long MaxRate, long BufferSize)
{
    /// <summary>The rung at the source's own display size: square pixels, nothing resampled beyond an odd row or column.</summary>
    public bool Native { get; init; }
}

/// <summary>One audio rendition as it will be encoded.</summary>
/// <param name="Id">Its representation id ("a0"), which names its files.</param>
/// <param name="StreamIndex">Its stream index in the source.</param>
/// <param name="Bitrate">Bits per second of the encode.</param>
/// <param name="Channels">Channels out: 2 (surround mixed down), or 6 for a 5.1 rendition.</param>
/// <param name="SampleRate">Samples per second out.</param>
/// <param name="Language">BCP 47 language of the source track; "und" when it names none.</param>
/// <param name="Name">What players list it as, unique among the package's audio.</param>
/// <param name="Default">The one a player picks when the viewer has not (one stereo rendition, and its 5.1 twin).</param>
/// <param name="Role">What it is for beside the main programme (see <see cref="Rendition.Roles"/>); null for main.</param>
public sealed record PlannedAudio(string Id, int StreamIndex, int Bitrate, int Channels, int SampleRate, string Language, string Name, bool Default, string? Role)
{
    /// <summary>The loudness to normalise to and, once measured, the source's; null to keep the levels.</summary>
    public LoudnessPlan? Loudness { get; init; }
}

/// <summary>A loudness target and the source track's loudness measured against it (null until the first pass).</summary>
public sealed record LoudnessPlan(LoudnessTarget Target, LoudnessMeasurement? Source = null);

/// <summary>What a loudness pass measured (EBU R128 / ITU-R BS.1770), as ffmpeg's loudnorm filter reports it.</summary>
/// <param name="IntegratedLufs">Integrated loudness.</param>
/// <param name="TruePeakDb">True peak, dBTP.</param>
/// <param name="RangeLu">Loudness range.</param>
/// <param name="ThresholdLufs">The gating threshold.</param>
/// <param name="TargetOffsetLu">The offset the filter's second pass applies to hit the target exactly.</param>
/// <param name="Linear">For a second pass: whether it could apply one gain (false when it fell back to dynamic).</param>
public sealed record LoudnessMeasurement(double IntegratedLufs, double TruePeakDb, double RangeLu, double ThresholdLufs, double TargetOffsetLu, bool Linear = true);

/// <summary>One text rendition: a text subtitle stream of the source, or a caption file sent with the job.</summary>
/// <param name="Id">Its representation id ("t0"), which names its files.</param>
/// <param name="Language">BCP 47 language; "und" when the source names none.</param>
/// <param name="Name">What players list it as, unique among the package's text.</param>
/// <param name="Default">Shown when the viewer has not chosen (the source's default subtitle stream).</param>
/// <param name="Forced">Shown even when the viewer chose no subtitles.</param>
/// <param name="Role">"captions" for text for deaf viewers (sounds included); null for subtitles.</param>
/// <param name="StreamIndex">The source's stream, or null for a caption file.</param>
/// <param name="CaptionIndex">The job's caption file (an index into its list), or null for a source stream.</param>
public sealed record PlannedText(string Id, string Language, string Name, bool Default, bool Forced, string? Role, int? StreamIndex, int? CaptionIndex);

/// <summary>A video encoder the ladder can use, and what the plan tells it.</summary>
/// <param name="Name">The codec as jobs name it.</param>
/// <param name="Encoder">ffmpeg's name of the encoder.</param>
/// <param name="Profile">The profile every SDR rung is encoded in.</param>
/// <param name="IdPrefix">What its representation ids start with ("v0" for H.264, "vh0" for HEVC, "va0" for AV1).</param>
public sealed record VideoCodec(OutputCodec Name, string Encoder, string Profile, string IdPrefix)
{
    /// <summary>H.264 High with x264: what every player decodes.</summary>
    public static VideoCodec H264 { get; } = new(OutputCodec.H264, "libx264", "high", "v");

    /// <summary>HEVC Main (Main 10 for HDR) with x265, in hvc1 sample entries as Apple's players require.</summary>
    public static VideoCodec Hevc { get; } = new(OutputCodec.Hevc, "libx265", "main", "vh");

    /// <summary>AV1 Main with SVT-AV1.</summary>
    public static VideoCodec Av1 { get; } = new(OutputCodec.Av1, "libsvtav1", "main", "va");

    public static VideoCodec For(OutputCodec name) => name switch
    {
        OutputCodec.Hevc => Hevc,
        OutputCodec.Av1 => Av1,
        _ => H264,
    };

    /// <summary>
    /// Whether the encoder puts keyframes where ffmpeg forces them. SVT-AV1 (as ffmpeg 5.1 drives it) does not: its
    /// keyframes come only every GOP, so a package with AV1 keeps every segment one GOP long, the first ones too.
    /// </summary>
    public bool ForcesKeyframes => Name != OutputCodec.Av1;

    /// <summary>Whether its rungs keep an HDR source's picture (10-bit, PQ or HLG); H.264 rungs are tone mapped to SDR.</summary>
    public bool KeepsHdr => Name != OutputCodec.H264;
}

/// <summary>
/// An HDR source's signal, kept by the codecs that can carry it.
/// </summary>
/// <param name="Transfer">ffmpeg's name of the transfer: "smpte2084" (PQ, HDR10) or "arib-std-b67" (HLG).</param>
/// <param name="MasteringDisplay">The display the picture was mastered on (SMPTE ST 2086); null when the source carries none.</param>
/// <param name="MaxCll">Content light level: the brightest pixel, cd/m2; null when the source carries none.</param>
/// <param name="MaxFall">Content light level: the brightest frame average, cd/m2.</param>
public sealed record HdrSignal(string Transfer, MasteringDisplay? MasteringDisplay = null, int? MaxCll = null, int? MaxFall = null)
{
    /// <summary>HLS's VIDEO-RANGE for it: "PQ" or "HLG".</summary>
    public string VideoRange => Transfer == "arib-std-b67" ? "HLG" : "PQ";
}

/// <summary>A mastering display (SMPTE ST 2086): CIE 1931 chromaticities of its primaries and white point, its luminance range in cd/m2.</summary>
public sealed record MasteringDisplay(double GreenX, double GreenY, double BlueX, double BlueY, double RedX, double RedY,
    double WhiteX, double WhiteY, double MaxLuminance, double MinLuminance)
{
    /// <summary>As x265 takes it: chromaticities in 0.00002 units, luminance in 0.0001 cd/m2.</summary>
    public string ForX265() => string.Create(CultureInfo.InvariantCulture,
        $"G({C(GreenX)},{C(GreenY)})B({C(BlueX)},{C(BlueY)})R({C(RedX)},{C(RedY)})WP({C(WhiteX)},{C(WhiteY)})L({L(MaxLuminance)},{L(MinLuminance)})");

    /// <summary>As SVT-AV1 takes it: chromaticities and luminance as numbers.</summary>
    public string ForSvtAv1() => string.Create(CultureInfo.InvariantCulture,
        $"G({GreenX:0.0####},{GreenY:0.0####})B({BlueX:0.0####},{BlueY:0.0####})R({RedX:0.0####},{RedY:0.0####})WP({WhiteX:0.0####},{WhiteY:0.0####})L({MaxLuminance:0.0###},{MinLuminance:0.0###})");

    private static long C(double value) => (long)Math.Round(value * 50000);

    private static long L(double value) => (long)Math.Round(value * 10000);
}

/// <summary>One video rendition as planned: a rung in one codec.</summary>
/// <param name="Id">Its representation id, which names its files.</param>
/// <param name="Codec">The codec.</param>
/// <param name="Rung">The rung's index in <see cref="LadderPlan.Rungs"/>.</param>
/// <param name="Spec">The rung.</param>
/// <param name="Hdr">True when it keeps the source's HDR picture.</param>
public sealed record PlannedVideo(string Id, VideoCodec Codec, int Rung, PlannedRung Spec, bool Hdr);

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

    /// <summary>The audio renditions to encode, in the order of the manifests; empty for video-only.</summary>
    public ImmutableArray<PlannedAudio> AudioTracks { get; init; } = [];

    /// <summary>The text renditions, in the order of the manifests: the source's text subtitles, then the job's caption files.</summary>
    public ImmutableArray<PlannedText> TextTracks { get; init; } = [];

    /// <summary>The source's tracks the package will not carry, with the reasons.</summary>
    public ImmutableArray<SkippedTrack> Skipped { get; init; } = [];

    /// <summary>The source's HDR transfer ("smpte2084" or "arib-std-b67") when its picture is tone mapped to SDR BT.709; else null.</summary>
    public string? ToneMapFrom { get; init; }

    /// <summary>The video codecs, H.264 first; each encodes every rung from the same decode.</summary>
    public ImmutableArray<VideoCodec> Codecs { get; init; } = [VideoCodec.H264];

    /// <summary>The source's HDR signal, when a codec of the plan keeps it (its rungs are then 10-bit HDR); else null.</summary>
    public HdrSignal? Hdr { get; init; }

    /// <summary>Where in the source the package starts (a clip's start), in seconds; 0 for the whole source.</summary>
    public double ClipStartSeconds { get; init; }

    /// <summary>Where in the source the package ends (a clip's end), in seconds; null for the source's end.</summary>
    public double? ClipEndSeconds { get; init; }

    /// <summary>
    /// True when every segment is one GOP of <see cref="GopFrames"/> frames (a codec that cannot take forced keyframes
    /// is in the plan): keyframes by frame count, every segment as long, the first too.
    /// </summary>
    public bool FixedGop => Codecs.Any(c => !c.ForcesKeyframes);

    /// <summary>Every video rendition: each codec's rungs, largest first, H.264's first.</summary>
    public IReadOnlyList<PlannedVideo> Videos =>
    [
        .. Codecs.SelectMany(codec => Rungs.Select((rung, i) =>
            new PlannedVideo(PackageLayout.VideoId(codec, i), codec, i, rung, Hdr is not null && codec.KeepsHdr))),
    ];

    public AudioCodec AudioCodec { get; init; } = AudioCodec.Aac;

    /// <summary>Constant output frame rate.</summary>
    public Rational FrameRate { get; init; } = Rational.Zero;

    /// <summary>Display aspect ratio every rung shares, so players can switch between them.</summary>
    public Rational DisplayAspect { get; init; } = Rational.One;

    public bool Deinterlace { get; init; }

    /// <summary>True when the source's pixels are square, so its own-size rung is cut from it rather than resampled.</summary>
    public bool SquarePixels { get; init; } = true;

    public required TimeSpan Duration { get; init; }

    /// <summary>Segment length, which is also the keyframe interval.</summary>
    public required int SegmentSeconds { get; init; }

    /// <summary>Length of the first, shorter segments that let playback start early.</summary>
    public required int FirstSegmentSeconds { get; init; }

    public required string Preset { get; init; }

    public required int Crf { get; init; }

    /// <summary>x265 preset of HEVC rungs.</summary>
    public string HevcPreset { get; init; } = "fast";

    /// <summary>x265 constant rate factor of HEVC rungs.</summary>
    public int HevcCrf { get; init; } = 28;

    /// <summary>SVT-AV1 preset (0 slowest .. 13 fastest) of AV1 rungs, as ffmpeg's -preset takes it.</summary>
    public string Av1Preset { get; init; } = "10";

    /// <summary>SVT-AV1 constant rate factor (0..63) of AV1 rungs.</summary>
    public int Av1Crf { get; init; } = 35;

    /// <summary>Poster and storyboard; null for audio-only sources.</summary>
    public ThumbnailPlan? Thumbnails { get; init; }

    /// <summary>The frames of the title (of a clip: its span) at <see cref="FrameRate"/>.</summary>
    public long FrameCount => (long)Math.Round(Duration.TotalSeconds * FrameRate.ToDouble());

    /// <summary>Most frames between keyframes at <see cref="FrameRate"/>: one segment.</summary>
    public int GopFrames => Math.Max(1, (int)Math.Round(FrameRate.ToDouble() * SegmentSeconds));

    /// <summary>The renditions the encoder writes, in the order of the manifests: video (each codec's, largest first), then audio.</summary>
    public IReadOnlyList<PlannedRendition> Renditions =>
    [
        .. Videos.Select(v => new PlannedRendition(v.Id, RenditionKind.Video, v.Spec.Name, v.Spec.Width, v.Spec.Height, v.Spec.Bitrate, v.Spec.MaxRate, v.Spec.BufferSize)),
        .. AudioTracks.Select(a => new PlannedRendition(a.Id, RenditionKind.Audio, a.Name, null, null, a.Bitrate, a.Bitrate, 0)),
    ];

    /// <summary>
    /// Where segment <paramref name="index"/> (0-based) starts, in seconds, which is where a keyframe is: at 0, then
    /// every <see cref="FirstSegmentSeconds"/> until <see cref="SegmentSeconds"/>, then every <see cref="SegmentSeconds"/>
    /// (with 1 and 2: 0, 1, 2, 4, 6, ...).
    /// </summary>
    public double SegmentStart(int index)
    {
        if (FixedGop)
        {
            return index * (double)GopFrames * FrameRate.Denominator / FrameRate.Numerator;
        }

        var shortOnes = SegmentSeconds / FirstSegmentSeconds;
        return index < shortOnes ? index * FirstSegmentSeconds : (index - (shortOnes - 1)) * (double)SegmentSeconds;
    }
}
