using System.ComponentModel;
using System.Text.Json.Serialization;
using Transcoder.Abstractions;

namespace Transcoder.Api.Contracts;

/// <summary>A job submitted by URL. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateJobRequest
{
    /// <summary>An http(s) URL the service fetches the source from.</summary>
    [Description("An http(s) URL the service fetches the source from.")]
    public string? InputUrl { get; init; }

    /// <summary>1 (most urgent) to 10. Default 5.</summary>
    [Description("1 (most urgent) to 10. Default 5.")]
    public int? Priority { get; init; }

    /// <summary>Attempts before a retryable failure sends the job to the dead-letter queue, 1 to 10. Default 3.</summary>
    [Description("Attempts before a retryable failure sends the job to the dead-letter queue, 1 to 10. Default 3.")]
    public int? MaxAttempts { get; init; }
}

/// <summary>One rendition of a completed job, with its measured quality (PSNR in dB, SSIM 0..1) against the source.</summary>
public sealed record RenditionResponse(
    string Name,
    int Width,
    int Height,
    long Bandwidth,
    long AverageBandwidth,
    string Codecs,
    Uri PlaylistUrl,
    double? Psnr,
    double? Ssim);

/// <summary>Why a job failed: a stable code, a message for people, and diagnostics such as the tail of ffmpeg's stderr.</summary>
public sealed record JobErrorResponse(string Code, string Message, string? Detail);

/// <summary>A job as clients see it.</summary>
public sealed record JobResponse
{
    public required Guid Id { get; init; }

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

    public required IReadOnlyList<RenditionResponse> Renditions { get; init; }

    public Uri? HlsUrl { get; init; }

    public Uri? DashUrl { get; init; }

    public JobErrorResponse? Error { get; init; }

    /// <summary>A poster image; null until the job completes (and for audio-only jobs).</summary>
    public Uri? PosterUrl { get; init; }

    /// <summary>A WebVTT thumbnails track for seek previews, pointing into a sprite image.</summary>
    public Uri? StoryboardUrl { get; init; }

    /// <summary>SHA-256 of the input's bytes (hex), once the job has fetched it.</summary>
    public string? ContentSha256 { get; init; }

    /// <summary>
    /// The earlier job of the same tenant whose outputs this job reuses (same input bytes, same ladder settings)
    /// instead of transcoding again; null when this job made its own.
    /// </summary>
    public Guid? ReusedFrom { get; init; }

    /// <summary>CPU seconds of the encode and their price; null until the job completes.</summary>
    public JobCost? Cost { get; init; }
}

/// <summary>A page of jobs, newest first.</summary>
/// <param name="Items">The jobs.</param>
/// <param name="Next">Pass as <c>after</c> to get the next page; null on the last page.</param>
public sealed record JobListResponse(IReadOnlyList<JobResponse> Items, string? Next);

/// <summary>Jobs waiting for an encode slot.</summary>
/// <param name="Queued">All queued jobs.</param>
/// <param name="ByPriority">Queued jobs per priority, "1" (most urgent) to "10"; every priority is listed.</param>
/// <param name="Scope">"tenant" for the caller's own jobs, "cluster" for every tenant's (operators).</param>
public sealed record QueueResponse(long Queued, IReadOnlyDictionary<string, long> ByPriority, string Scope);

/// <summary>A progress message sent to hub clients watching a job.</summary>
public sealed record ProgressMessage(Guid JobId, string Status, double Percent, string Stage, DateTimeOffset At);
