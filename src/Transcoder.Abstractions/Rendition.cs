using System.Text.Json.Serialization;

namespace Transcoder.Abstractions;

/// <summary>What a rendition carries.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RenditionKind>))]
public enum RenditionKind
{
    [JsonStringEnumMemberName("video")]
    Video = 0,

    [JsonStringEnumMemberName("audio")]
    Audio = 1,

    [JsonStringEnumMemberName("text")]
    Text = 2,
}

/// <summary>
/// One rendition of a package, as data: the packager describes it, the job keeps it, the jobs row stores it and the
/// API answers with it. Only <see cref="PlaylistUrl"/> changes on the way, being resolved against where the package
/// is: relative to the package in the packager, an object key in the job, an absolute URL in the API.
/// </summary>
[GenerateSerializer, Immutable, Alias("transcoder.rendition.v2")]
public sealed record Rendition
{
    [Id(0)] public required RenditionKind Kind { get; init; }

    /// <summary>For video the short side followed by "p" ("720p"); for audio and text what players list it as ("English", "Français 5.1").</summary>
    [Id(1)] public required string Name { get; init; }

    /// <summary>RFC 6381 codec string of this rendition alone, e.g. "avc1.64001f" or "mp4a.40.2".</summary>
    [Id(2)] public required string Codecs { get; init; }

    /// <summary>BCP 47 language of an audio or text rendition; "und" when the source names none.</summary>
    [Id(3)] public string? Language { get; init; }

    /// <summary>Coded width of a video rendition, in pixels.</summary>
    [Id(4)] public int? Width { get; init; }

    /// <summary>Coded height of a video rendition, in pixels.</summary>
    [Id(5)] public int? Height { get; init; }

    /// <summary>Frames per second of a video rendition.</summary>
    [Id(6)] public double? FrameRate { get; init; }

    /// <summary>Channels of an audio rendition.</summary>
    [Id(7)] public int? Channels { get; init; }

    /// <summary>Peak bits per second over any one segment of this rendition.</summary>
    [Id(8)] public required long Bandwidth { get; init; }

    /// <summary>Mean bits per second over the whole rendition.</summary>
    [Id(9)] public required long AverageBandwidth { get; init; }

    /// <summary>Bytes of the rendition: its initialization segment and every media segment.</summary>
    [Id(10)] public required long SizeBytes { get; init; }

    /// <summary>Its HLS media playlist: relative to the package, an object key, or an absolute URL (see the type).</summary>
    [Id(11)] public required string PlaylistUrl { get; init; }

    /// <summary>PSNR in dB of a video rendition against the source scaled to its size, over every frame.</summary>
    [Id(12)] public double? Psnr { get; init; }

    /// <summary>Luma SSIM (0..1) of a video rendition against the source scaled to its size.</summary>
    [Id(13)] public double? Ssim { get; init; }

    /// <summary>The audio or text rendition players choose when the viewer has not (one per kind at most).</summary>
    [Id(14)] public bool Default { get; init; }

    /// <summary>A text rendition shown even when the viewer chose no subtitles (foreign dialogue, signs).</summary>
    [Id(15)] public bool Forced { get; init; }

    /// <summary>
    /// What the track is for, beside the main programme: "description" (audio description for blind viewers),
    /// "commentary", or "captions" (text for deaf viewers, sounds included); null for a main track.
    /// </summary>
    [Id(16)] public string? Role { get; init; }

    /// <summary>Loudness of an audio rendition's source and of the rendition, when the job normalised it.</summary>
    [Id(17)] public LoudnessFigures? Loudness { get; init; }

    /// <summary>A text rendition as one WebVTT file (what the DASH manifest points to); resolved like <see cref="PlaylistUrl"/>.</summary>
    [Id(18)] public string? FileUrl { get; init; }

    /// <summary>A video rendition's dynamic range, as HLS's VIDEO-RANGE names it: "SDR", "PQ" (HDR10) or "HLG".</summary>
    [Id(19)] public string? VideoRange { get; init; }

    /// <summary>The same as <see cref="Codecs"/>: one rendition has one codec.</summary>
    public string Codec => Codecs;

    /// <summary>The rendition's URL: its HLS media playlist (see <see cref="PlaylistUrl"/>).</summary>
    public string Url => PlaylistUrl;

    /// <summary>The roles a rendition may have.</summary>
    public static class Roles
    {
        public const string Description = "description";
        public const string Commentary = "commentary";
        public const string Captions = "captions";
    }
}
