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

    /// <summary>For video the short side followed by "p" ("720p"); for audio and text the language or "default".</summary>
    [Id(1)] public required string Name { get; init; }

    /// <summary>RFC 6381 codec string of this rendition alone, e.g. "avc1.64001f" or "mp4a.40.2".</summary>
    [Id(2)] public required string Codecs { get; init; }

    /// <summary>BCP 47 language of an audio or text rendition, when the source names one.</summary>
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
}
