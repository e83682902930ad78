using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Transcoder.Abstractions;

/// <summary>A video codec a package may carry, as callers name it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutputCodec>))]
public enum OutputCodec
{
    /// <summary>H.264 High (x264): what every player decodes, always made.</summary>
    [JsonStringEnumMemberName("h264")]
    H264 = 0,

    /// <summary>HEVC Main or Main 10 (x265) in hvc1 sample entries: Apple devices, and HDR.</summary>
    [JsonStringEnumMemberName("hevc")]
    Hevc = 1,

    /// <summary>AV1 Main (SVT-AV1): fewer bits for the same picture, where the device decodes it.</summary>
    [JsonStringEnumMemberName("av1")]
    Av1 = 2,
}

/// <summary>An extra file made beside the streaming package.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DownloadFormat>))]
public enum DownloadFormat
{
    /// <summary>A progressive, faststart H.264/AAC MP4 of one rung with the default audio track.</summary>
    [JsonStringEnumMemberName("mp4")]
    Mp4 = 0,

    /// <summary>The default audio track alone, AAC in an MP4 audio file.</summary>
    [JsonStringEnumMemberName("m4a")]
    M4a = 1,
}

/// <summary>An image format for stills.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StillFormat>))]
public enum StillFormat
{
    [JsonStringEnumMemberName("jpeg")]
    Jpeg = 0,

    [JsonStringEnumMemberName("webp")]
    Webp = 1,
}

/// <summary>
/// What a job asks its package to be made of, beside its tracks: codecs, which rungs, downloads, a clip of the source,
/// stills. Equal when every part is equal, so the same options are the same request, and part of the output-reuse
/// fingerprint. The defaults make the package every job got before options existed.
/// </summary>
[GenerateSerializer, Immutable, Alias("transcoder.output-options")]
public sealed record OutputOptions
{
    /// <summary>The most rungs a job may list.</summary>
    public const int MaxRenditions = 8;

    /// <summary>The most stills a job may ask for.</summary>
    public const int MaxThumbnails = 50;

    /// <summary>The smallest and largest rung height a job may ask for.</summary>
    public const int LowestHeight = 144;

    public const int HighestHeight = 4320;

    /// <summary>The video codecs, H.264 first (always made, as every player's fallback), each once.</summary>
    [Id(0)] public ImmutableArray<OutputCodec> Codecs { get; init; } = [OutputCodec.H264];

    /// <summary>No rung taller than this (the short side of a portrait video); null for no cap.</summary>
    [Id(1)] public int? MaxHeight { get; init; }

    /// <summary>The rungs to make instead of the service's ladder, tallest first; empty for the service's ladder.</summary>
    [Id(2)] public ImmutableArray<RenditionRequest> Renditions { get; init; } = [];

    /// <summary>Files to make beside the package.</summary>
    [Id(3)] public ImmutableArray<DownloadRequest> Downloads { get; init; } = [];

    /// <summary>Only this span of the source; null for all of it.</summary>
    [Id(4)] public ClipRange? Clip { get; init; }

    /// <summary>Stills at chosen times; null for none beside the poster and storyboard.</summary>
    [Id(5)] public ThumbnailRequest? Thumbnails { get; init; }

    /// <summary>The poster's time in seconds (of the clip, when there is one); null for a tenth of the way in, at most 10 s.</summary>
    [Id(6)] public double? PosterSeconds { get; init; }

    /// <summary>Options that change nothing.</summary>
    public static OutputOptions Default { get; } = new();

    /// <summary>True when these options make the same package as no options at all.</summary>
    public bool IsDefault => Equals(Default);

    /// <summary>True when only the source can tell whether these options can be met (rungs, a clip, times, a download's height or audio).</summary>
    public bool NeedSource => !Renditions.IsEmpty || Clip is not null || Thumbnails is not null || PosterSeconds is not null
        || Downloads.Any(d => d.Height is not null || d.Format == DownloadFormat.M4a);

    /// <summary>True when the package carries <paramref name="codec"/>.</summary>
    public bool Has(OutputCodec codec) => Codecs.Contains(codec);

    public bool Equals(OutputOptions? other) =>
        other is not null
        && Codecs.AsSpan().SequenceEqual(other.Codecs.AsSpan())
        && MaxHeight == other.MaxHeight
        && Renditions.AsSpan().SequenceEqual(other.Renditions.AsSpan())
        && Downloads.AsSpan().SequenceEqual(other.Downloads.AsSpan())
        && Clip == other.Clip
        && Thumbnails == other.Thumbnails
        && PosterSeconds == other.PosterSeconds;

    public override int GetHashCode() => HashCode.Combine(Codecs.Length, MaxHeight, Renditions.Length, Downloads.Length, Clip, Thumbnails, PosterSeconds);
}

/// <summary>A rung a job asks for: its height (the short side of a portrait video) and, optionally, its peak bitrate.</summary>
/// <param name="Height">Pixels; never above the source's, the width following the source's aspect ratio.</param>
/// <param name="MaxBitrateKbps">The rung's VBV peak rate in kbit/s; null for the service's rate for that height.</param>
[GenerateSerializer, Immutable, Alias("transcoder.rendition-request")]
public sealed record RenditionRequest([property: Id(0)] int Height, [property: Id(1)] int? MaxBitrateKbps = null)
{
    public const int LowestKbps = 100;
    public const int HighestKbps = 100_000;
}

/// <summary>A download to make.</summary>
/// <param name="Format">What file.</param>
/// <param name="Height">For an MP4: the rung it is made of; null for the top rung.</param>
[GenerateSerializer, Immutable, Alias("transcoder.download-request")]
public sealed record DownloadRequest([property: Id(0)] DownloadFormat Format, [property: Id(1)] int? Height = null);

/// <summary>A span of the source, in seconds of its timeline.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.clip-range")]
public sealed record ClipRange([property: Id(0)] double StartSeconds, [property: Id(1)] double EndSeconds)
{
    /// <summary>The shortest clip.</summary>
    public const double ShortestSeconds = 0.5;

    public double DurationSeconds => EndSeconds - StartSeconds;
}

/// <summary>Stills at chosen times (seconds of the package's timeline), each as wide as asked.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.thumbnail-request")]
public sealed record ThumbnailRequest
{
    public const int DefaultWidth = 640;
    public const int LowestWidth = 32;
    public const int HighestWidth = 3840;

    [Id(0)] public ImmutableArray<double> Times { get; init; } = [];

    [Id(1)] public int Width { get; init; } = DefaultWidth;

    [Id(2)] public StillFormat Format { get; init; } = StillFormat.Jpeg;

    public bool Equals(ThumbnailRequest? other) =>
        other is not null && Times.AsSpan().SequenceEqual(other.Times.AsSpan()) && Width == other.Width && Format == other.Format;

    public override int GetHashCode() => HashCode.Combine(Times.Length, Width, Format);
}
