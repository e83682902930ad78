using System.Collections.Immutable;

namespace Transcoder.Abstractions;

/// <summary>
/// What a job has published: while it encodes, the manifests viewers may already play; once it completes, the
/// whole package. Keys are object keys in the bucket.
/// </summary>
[GenerateSerializer, Immutable, Alias("transcoder.job-outputs")]
public sealed record JobOutputs
{
    /// <summary>Every rendition of the package, video largest first, then audio, then text; empty until completion.</summary>
    [Id(0)] public ImmutableArray<Rendition> Renditions { get; init; } = [];

    /// <summary>The HLS master playlist.</summary>
    [Id(1)] public string? HlsKey { get; init; }

    /// <summary>The DASH manifest.</summary>
    [Id(2)] public string? DashKey { get; init; }

    /// <summary>A poster image (video only).</summary>
    [Id(3)] public string? PosterKey { get; init; }

    /// <summary>A WebVTT thumbnails track for seek previews (video only).</summary>
    [Id(4)] public string? StoryboardKey { get; init; }

    /// <summary>Duration of the package in seconds.</summary>
    [Id(5)] public double DurationSeconds { get; init; }

    /// <summary>CPU time and price of the work that made the package.</summary>
    [Id(6)] public JobCost? Cost { get; init; }

    /// <summary>SHA-256 of the input's bytes (hex).</summary>
    [Id(7)] public string? ContentHash { get; init; }

    /// <summary>Fingerprint of the ladder settings the package was made with.</summary>
    [Id(8)] public string? LadderHash { get; init; }

    /// <summary>The completed job of the same tenant whose package this is, when the input and settings were the same.</summary>
    [Id(9)] public Guid? ReusedFrom { get; init; }

    /// <summary>What the source is, as the probe found it.</summary>
    [Id(10)] public SourceFacts? Source { get; init; }

    /// <summary>Tracks of the source the package does not carry, each with the reason.</summary>
    [Id(11)] public ImmutableArray<SkippedTrack> Skipped { get; init; } = [];

    /// <summary>What the owner should know about the package, e.g. an input shorter than its header says.</summary>
    [Id(12)] public ImmutableArray<JobWarning> Warnings { get; init; } = [];

    /// <summary>True when the source was HDR (PQ or HLG) and its picture was tone mapped to SDR BT.709.</summary>
    [Id(13)] public bool ToneMapped { get; init; }

    /// <summary>How many chunks the video was encoded in (1: whole, in one run).</summary>
    [Id(14)] public int Chunks { get; init; } = 1;

    /// <summary>How many distinct silos did the job's work.</summary>
    [Id(15)] public int Silos { get; init; } = 1;

    /// <summary>The downloads the job asked for, made beside the package.</summary>
    [Id(16)] public ImmutableArray<DownloadFile> Downloads { get; init; } = [];

    /// <summary>The stills the job asked for, in time order.</summary>
    [Id(17)] public ImmutableArray<StillFile> Stills { get; init; } = [];

    /// <summary>The video renditions, largest first.</summary>
    public IEnumerable<Rendition> Video => Renditions.Where(r => r.Kind == RenditionKind.Video);
}

/// <summary>A download made beside the package.</summary>
/// <param name="Format">"mp4" or "m4a".</param>
/// <param name="Key">Its object key (an absolute URL in the API).</param>
/// <param name="SizeBytes">Its size.</param>
/// <param name="Codecs">RFC 6381 codecs of what it carries ("avc1.64001f,mp4a.40.2").</param>
/// <param name="Width">An MP4's picture width.</param>
/// <param name="Height">An MP4's picture height.</param>
[GenerateSerializer, Immutable, Alias("transcoder.download-file")]
public sealed record DownloadFile(
    [property: Id(0)] string Format,
    [property: Id(1)] string Key,
    [property: Id(2)] long SizeBytes,
    [property: Id(3)] string Codecs,
    [property: Id(4)] int? Width = null,
    [property: Id(5)] int? Height = null);

/// <summary>A still made at an asked time.</summary>
/// <param name="Seconds">Its time in the package.</param>
/// <param name="Key">Its object key (an absolute URL in the API).</param>
/// <param name="Width">Its width.</param>
/// <param name="Height">Its height.</param>
/// <param name="SizeBytes">Its size.</param>
[GenerateSerializer, Immutable, Alias("transcoder.still-file")]
public sealed record StillFile(
    [property: Id(0)] double Seconds,
    [property: Id(1)] string Key,
    [property: Id(2)] int Width,
    [property: Id(3)] int Height,
    [property: Id(4)] long SizeBytes);
