using System.ComponentModel.DataAnnotations;

namespace Transcoder.Media;

/// <summary>One rung the ladder may contain, named by its short side.</summary>
public sealed class RungSpec
{
    /// <summary>Short side in pixels: the height of a landscape rung, the width of a portrait one.</summary>
    [Range(16, 8640)]
    public int ShortSide { get; set; }

    /// <summary>Nominal bitrate in bits per second.</summary>
    [Range(10_000, 500_000_000)]
    public long Bitrate { get; set; }

    /// <summary>VBV peak rate in bits per second.</summary>
    [Range(10_000, 500_000_000)]
    public long MaxRate { get; set; }

    /// <summary>VBV buffer in bits.</summary>
    [Range(10_000, 1_000_000_000)]
    public long BufferSize { get; set; }
}

/// <summary>How jobs are encoded. Section "Ladder".</summary>
public sealed class LadderOptions : IValidatableObject
{
    public const string SectionName = "Ladder";

    /// <summary>The rungs, largest first. Default: the seed's 2160p/1080p/720p/480p/360p table.</summary>
    public List<RungSpec> Rungs { get; set; } =
    [
        new() { ShortSide = 2160, Bitrate = 20_000_000, MaxRate = 22_000_000, BufferSize = 44_000_000 },
        new() { ShortSide = 1080, Bitrate = 8_000_000, MaxRate = 9_000_000, BufferSize = 18_000_000 },
        new() { ShortSide = 720, Bitrate = 5_000_000, MaxRate = 6_000_000, BufferSize = 12_000_000 },
        new() { ShortSide = 480, Bitrate = 2_500_000, MaxRate = 3_000_000, BufferSize = 6_000_000 },
        new() { ShortSide = 360, Bitrate = 1_000_000, MaxRate = 1_200_000, BufferSize = 2_400_000 },
    ];

    /// <summary>
    /// Segment length in seconds. Every segment is one closed GOP that starts with a keyframe at the same
    /// instant in every rung, so this is also the keyframe interval. Default 2, the keyframe interval Apple's
    /// HLS authoring spec asks for.
    /// </summary>
    [Range(1, 10)]
    public int SegmentSeconds { get; set; } = 2;

    /// <summary>
    /// Length of the first segments, so a viewer can press play as soon as the first second is encoded; later
    /// segments are <see cref="SegmentSeconds"/> long. Must divide <see cref="SegmentSeconds"/>. Default 1.
    /// </summary>
    [Range(1, 10)]
    public int FirstSegmentSeconds { get; set; } = 1;

    /// <summary>Frame rates above this are halved until they fit. Default 60.</summary>
    [Range(10, 120)]
    public int MaxFrameRate { get; set; } = 60;

    /// <summary>x264 preset. Default "fast", the seed's.</summary>
    [Required]
    public string Preset { get; set; } = "fast";

    /// <summary>x264 constant rate factor, capped per rung by its VBV. Default 23, the seed's.</summary>
    [Range(0, 51)]
    public int Crf { get; set; } = 23;

    /// <summary>x265 preset of HEVC rungs, for jobs that ask for HEVC. Default "fast".</summary>
    [Required]
    public string HevcPreset { get; set; } = "fast";

    /// <summary>x265 constant rate factor of HEVC rungs (x265's 28 looks about as x264's 23), capped by 70 % of the rung's VBV. Default 28.</summary>
    [Range(0, 51)]
    public int HevcCrf { get; set; } = 28;

    /// <summary>
    /// SVT-AV1 preset of AV1 rungs, 0 (slowest) to 13 (fastest), for jobs that ask for AV1. Default 10: on the codec
    /// benchmark it took 0.71x x264 "fast"'s CPU for 13-57 % fewer bits at equal PSNR; preset 8 saved 34-73 % for 1.43x,
    /// worth it for titles watched often enough to repay twice the AV1 encode.
    /// </summary>
    [Range(0, 13)]
    public int Av1Preset { get; set; } = 10;

    /// <summary>SVT-AV1 constant rate factor of AV1 rungs, 1 to 63, capped by 60 % of the rung's VBV. Default 35.</summary>
    [Range(1, 63)]
    public int Av1Crf { get; set; } = 35;

    /// <summary>
    /// What an HEVC rendition costs in CPU against an H.264 one, to split a job's measured CPU between its codecs (one
    /// ffmpeg run encodes them all). Default 1.13, measured by test/bench/codecs.sh at the default presets.
    /// </summary>
    [Range(0.01, 100)]
    public double HevcCpuWeight { get; set; } = 1.13;

    /// <summary>What an AV1 rendition costs in CPU against an H.264 one (see <see cref="HevcCpuWeight"/>). Default 0.71, at preset 10.</summary>
    [Range(0.01, 100)]
    public double Av1CpuWeight { get; set; } = 0.71;

    /// <summary>Each codec's relative CPU cost, by its name as jobs give it (H.264 = 1).</summary>
    public IReadOnlyDictionary<string, double> CodecCpuWeights() =>
        new Dictionary<string, double>(StringComparer.Ordinal) { ["h264"] = 1, ["hevc"] = HevcCpuWeight, ["av1"] = Av1CpuWeight };

    /// <summary>AAC bitrate in bits per second. Default 128k, the seed's.</summary>
    [Range(32_000, 512_000)]
    public int AudioBitrate { get; set; } = 128_000;

    /// <summary>Bitrate of a 5.1 AAC rendition, for jobs that ask for one. Default 384k.</summary>
    [Range(96_000, 1_024_000)]
    public int SurroundBitrate { get; set; } = 384_000;

    /// <summary>Width of one storyboard thumbnail in pixels. Default 160.</summary>
    [Range(32, 640)]
    public int ThumbnailWidth { get; set; } = 160;

    /// <summary>Most thumbnails in a storyboard; longer videos space them further apart. Default 100.</summary>
    [Range(1, 400)]
    public int MaxThumbnails { get; set; } = 100;

    /// <summary>Widest poster image in pixels. Default 1280.</summary>
    [Range(64, 3840)]
    public int MaxPosterWidth { get; set; } = 1280;

    /// <summary>A source larger than the next rung by this factor also gets a rung at its own size.</summary>
    [Range(1.0, 4.0)]
    public double NativeRungThreshold { get; set; } = 1.15;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FirstSegmentSeconds > SegmentSeconds || SegmentSeconds % FirstSegmentSeconds != 0)
        {
            yield return new ValidationResult(
                $"{nameof(FirstSegmentSeconds)} ({FirstSegmentSeconds}) must divide {nameof(SegmentSeconds)} ({SegmentSeconds}).",
                [nameof(FirstSegmentSeconds)]);
        }
    }
}
