using System.ComponentModel;
using Transcoder.Abstractions;

namespace Transcoder.Contracts;

/// <summary>Why a job failed: a stable code, a message for people, and diagnostics such as the tail of ffmpeg's stderr.</summary>
public sealed record JobErrorResponse(string Code, string Message, string? Detail);

/// <summary>A job as clients see it, from the API and in webhooks.</summary>
public sealed record JobResponse
{
    public required Guid Id { get; init; }

    /// <summary>What people call the video: given at submission, or the uploaded file's name, or the URL's last segment.</summary>
    public string? Name { get; init; }

    /// <summary>queued, processing, completed, failed or canceled.</summary>
    [Description("queued, processing, completed, failed or canceled")]
    public required string Status { get; init; }

    /// <summary>0 to 100.</summary>
    public required double Progress { get; init; }

    /// <summary>queued, downloading, probing, encoding, uploading or done.</summary>
    public required string Stage { get; init; }

    public required int Priority { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When playback could start: the HLS and DASH URLs work from then on, while the job still encodes.</summary>
    public DateTimeOffset? PlayableAt { get; init; }

    public string? ProcessingNode { get; init; }

    public required int Attempts { get; init; }

    /// <summary>Attempts the job may make before a retryable failure sends it to the dead-letter queue.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>When the job went to the dead-letter queue (out of attempts); POST /v1/jobs/{id}/retry requeues it.</summary>
    public DateTimeOffset? DeadLetteredAt { get; init; }

    /// <summary>
    /// Every rendition of the package (video largest first, then audio, then text), each with its kind, codec,
    /// language, name and URL (its HLS media playlist; a text rendition's whole WebVTT file is fileUrl).
    /// </summary>
    public required IReadOnlyList<Rendition> Renditions { get; init; }

    public Uri? HlsUrl { get; init; }

    public Uri? DashUrl { get; init; }

    public JobErrorResponse? Error { get; init; }

    /// <summary>A poster image; null until the job completes (and for audio-only jobs).</summary>
    public Uri? PosterUrl { get; init; }

    /// <summary>The package's duration in seconds, once it is playable.</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>What the source is (container, codecs, size, frame rate, channels), once it was probed.</summary>
    public SourceFacts? Source { get; init; }

    /// <summary>A WebVTT thumbnails track for seek previews, pointing into a sprite image.</summary>
    public Uri? StoryboardUrl { get; init; }

    /// <summary>SHA-256 of the input's bytes (hex), once the job has completed.</summary>
    public string? ContentSha256 { get; init; }

    /// <summary>
    /// The earlier job of the same tenant whose outputs this job reuses (same input bytes, same ladder settings)
    /// instead of transcoding again; null when this job made its own.
    /// </summary>
    public Guid? ReusedFrom { get; init; }

    /// <summary>CPU seconds of the encode and their price; null until the job completes.</summary>
    public JobCost? Cost { get; init; }

    /// <summary>Where the service POSTs the job, signed, when it ends; null for none.</summary>
    public string? CallbackUrl { get; init; }

    /// <summary>Tracks of the source the package does not carry (picture subtitles, unselected languages), each with the reason.</summary>
    public IReadOnlyList<SkippedTrack> Skipped { get; init; } = [];

    /// <summary>What the owner should know about the package, e.g. input_truncated with the decoded and declared durations.</summary>
    public IReadOnlyList<JobWarning> Warnings { get; init; } = [];

    /// <summary>True when the source was HDR (PQ or HLG) and its picture was tone mapped to SDR BT.709.</summary>
    public bool ToneMapped { get; init; }

    /// <summary>How many chunks the video was encoded in, side by side on the silos (1: in one piece); null until the job completes.</summary>
    public int? Chunks { get; init; }

    /// <summary>How many distinct silos did the job's work; null until the job completes.</summary>
    public int? Silos { get; init; }

    /// <summary>What the job asked its package to be made of (codecs, caps or rungs, downloads, clip, stills), defaults filled in.</summary>
    public required OutputsResponse Outputs { get; init; }

    /// <summary>The video codecs the package carries ("h264", "hevc", "av1"); empty until the job completes.</summary>
    public IReadOnlyList<string> Codecs { get; init; } = [];

    /// <summary>The downloads made, with their URLs and sizes; empty until the job completes.</summary>
    public IReadOnlyList<DownloadResponse> Downloads { get; init; } = [];

    /// <summary>The stills made at the asked times, with their URLs; empty until the job completes.</summary>
    public IReadOnlyList<StillResponse> Thumbnails { get; init; } = [];
}

/// <summary>What a job asked its package to be made of, with the defaults filled in.</summary>
/// <param name="Codecs">"h264", then any of "hevc" and "av1".</param>
/// <param name="MaxHeight">The height cap, or null.</param>
/// <param name="Renditions">The rungs asked for instead of the service's ladder (empty: the ladder).</param>
/// <param name="Downloads">The downloads asked for.</param>
/// <param name="Clip">The span of the source, or null for all of it.</param>
/// <param name="Thumbnails">The stills asked for, or null.</param>
/// <param name="PosterSeconds">The poster's time, or null for the default.</param>
public sealed record OutputsResponse(
    IReadOnlyList<string> Codecs,
    int? MaxHeight,
    IReadOnlyList<RenditionAsked> Renditions,
    IReadOnlyList<DownloadAsked> Downloads,
    ClipAsked? Clip,
    ThumbnailsAsked? Thumbnails,
    double? PosterSeconds)
{
    public static OutputsResponse From(OutputOptions options) => new(
        [.. options.Codecs.Select(c => c switch { OutputCodec.Hevc => "hevc", OutputCodec.Av1 => "av1", _ => "h264" })],
        options.MaxHeight,
        [.. options.Renditions.Select(r => new RenditionAsked(r.Height, r.MaxBitrateKbps))],
        [.. options.Downloads.Select(d => new DownloadAsked(d.Format == DownloadFormat.M4a ? "m4a" : "mp4", d.Height))],
        options.Clip is { } clip ? new ClipAsked(clip.StartSeconds, clip.EndSeconds) : null,
        options.Thumbnails is { } t ? new ThumbnailsAsked([.. t.Times], t.Width, t.Format == StillFormat.Webp ? "webp" : "jpeg") : null,
        options.PosterSeconds);
}

/// <summary>A rung asked for.</summary>
public sealed record RenditionAsked(int Height, int? MaxBitrateKbps);

/// <summary>A download asked for: "mp4" (of the rung of <paramref name="Height"/>, or the top one) or "m4a".</summary>
public sealed record DownloadAsked(string Format, int? Height);

/// <summary>A span of the source, in seconds.</summary>
public sealed record ClipAsked(double StartSeconds, double EndSeconds);

/// <summary>Stills asked for: times in seconds, their width, "jpeg" or "webp".</summary>
public sealed record ThumbnailsAsked(IReadOnlyList<double> Times, int Width, string Format);

/// <summary>A download made beside the package.</summary>
/// <param name="Format">"mp4" or "m4a".</param>
/// <param name="Url">Where to fetch it.</param>
/// <param name="SizeBytes">Its size.</param>
/// <param name="Codecs">RFC 6381 codecs of its tracks.</param>
/// <param name="Width">An MP4's width.</param>
/// <param name="Height">An MP4's height.</param>
public sealed record DownloadResponse(string Format, Uri Url, long SizeBytes, string Codecs, int? Width, int? Height);

/// <summary>A still made at an asked time.</summary>
/// <param name="Seconds">Its time in the package.</param>
/// <param name="Url">Where to fetch it.</param>
/// <param name="Width">Its width.</param>
/// <param name="Height">Its height.</param>
/// <param name="SizeBytes">Its size.</param>
public sealed record StillResponse(double Seconds, Uri Url, int Width, int Height, long SizeBytes);

/// <summary>The job document, made from the read model in one place for the API and webhooks alike.</summary>
public static class JobResponses
{
    /// <summary>The job as clients see it; object keys become URLs through <paramref name="publicUrl"/>.</summary>
    public static JobResponse From(JobView job, Func<string, Uri> publicUrl)
    {
        var outputs = job.Outputs;
        return new JobResponse
        {
            Id = job.Id,
            Name = job.Spec.Name,
            Status = job.Status.ToWire(),
            Progress = job.Progress,
            Stage = job.Stage,
            Priority = job.Spec.Priority,
            CreatedAt = job.CreatedAt,
            StartedAt = job.StartedAt,
            CompletedAt = job.CompletedAt,
            PlayableAt = job.PlayableAt,
            ProcessingNode = job.ProcessingNode,
            Attempts = job.Attempts,
            MaxAttempts = job.Spec.MaxAttempts ?? JobSpec.DefaultMaxAttempts,
            DeadLetteredAt = job.DeadLetteredAt,
            Renditions = outputs is null || outputs.Renditions.IsDefault
                ? []
                : [.. outputs.Renditions.Select(r => r with
                {
                    PlaylistUrl = publicUrl(r.PlaylistUrl).ToString(),
                    FileUrl = r.FileUrl is { } file ? publicUrl(file).ToString() : null,
                })],
            HlsUrl = Url(outputs?.HlsKey, publicUrl),
            DashUrl = Url(outputs?.DashKey, publicUrl),
            Error = job.Error is { } error ? new JobErrorResponse(error.Code, error.Message, error.Detail) : null,
            Cost = outputs?.Cost,
            ContentSha256 = outputs?.ContentHash,
            ReusedFrom = outputs?.ReusedFrom,
            PosterUrl = Url(outputs?.PosterKey, publicUrl),
            StoryboardUrl = Url(outputs?.StoryboardKey, publicUrl),
            DurationSeconds = outputs is { DurationSeconds: > 0 } ? outputs.DurationSeconds : null,
            Source = outputs?.Source,
            CallbackUrl = job.Spec.CallbackUrl,
            Skipped = outputs is null || outputs.Skipped.IsDefault ? [] : outputs.Skipped,
            Warnings = outputs is null || outputs.Warnings.IsDefault ? [] : outputs.Warnings,
            ToneMapped = outputs?.ToneMapped ?? false,
            Chunks = job.Status == JobStatus.Completed ? outputs?.Chunks : null,
            Silos = job.Status == JobStatus.Completed ? outputs?.Silos : null,
            Outputs = OutputsResponse.From(job.Spec.Outputs ?? OutputOptions.Default),
            Codecs = outputs is null || outputs.Renditions.IsDefault ? [] : [.. outputs.Video.Select(v => CodecNames.Of(v.Codecs)).Distinct()],
            Downloads = outputs is null || outputs.Downloads.IsDefault ? [] : [.. outputs.Downloads.Select(d => new DownloadResponse(d.Format, publicUrl(d.Key), d.SizeBytes, d.Codecs, d.Width, d.Height))],
            Thumbnails = outputs is null || outputs.Stills.IsDefault ? [] : [.. outputs.Stills.Select(s => new StillResponse(s.Seconds, publicUrl(s.Key), s.Width, s.Height, s.SizeBytes))],
        };
    }


    private static Uri? Url(string? key, Func<string, Uri> publicUrl) => key is null ? null : publicUrl(key);
}
