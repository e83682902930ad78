using System.Collections.Immutable;

namespace Transcoder.Abstractions;

/// <summary>Everything a client may know about a job at one instant.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.job-snapshot")]
public sealed record JobSnapshot
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string Tenant { get; init; }
    [Id(2)] public required JobStatus Status { get; init; }

    /// <summary>0 to 100.</summary>
    [Id(3)] public double Progress { get; init; }

    /// <summary>What the worker is doing: queued, downloading, probing, encoding, uploading, done.</summary>
    [Id(4)] public string Stage { get; init; } = JobStages.Queued;
    [Id(5)] public required int Priority { get; init; }
    [Id(6)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(7)] public DateTimeOffset? StartedAt { get; init; }
    [Id(8)] public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The silo that ran (or runs) the job.</summary>
    [Id(9)] public string? ProcessingNode { get; init; }
    [Id(10)] public int Attempts { get; init; }
    [Id(11)] public ImmutableArray<Rendition> Renditions { get; init; } = [];

    /// <summary>Object key of the HLS master playlist, once there is one.</summary>
    [Id(12)] public string? HlsKey { get; init; }

    /// <summary>Object key of the DASH manifest, once there is one.</summary>
    [Id(13)] public string? DashKey { get; init; }
    [Id(14)] public JobError? Error { get; init; }
    [Id(15)] public required JobInput Input { get; init; }
    [Id(16)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>CPU time and price of the run that produced the outputs.</summary>
    [Id(17)] public JobCost? Cost { get; init; }

    /// <summary>Object key of the poster image, once there is one.</summary>
    [Id(18)] public string? PosterKey { get; init; }

    /// <summary>Object key of the WebVTT storyboard (seek previews), once there is one.</summary>
    [Id(19)] public string? StoryboardKey { get; init; }

    /// <summary>When the first segment of every rendition was published and playback could start.</summary>
    [Id(20)] public DateTimeOffset? PlayableAt { get; init; }

    /// <summary>Attempts this job may make, fixed when it is submitted; null only for jobs older than the setting.</summary>
    [Id(21)] public int? MaxAttempts { get; init; }

    /// <summary>
    /// When the job ran out of attempts on retryable failures and went to the dead-letter queue; null otherwise.
    /// A dead-lettered job keeps its uploaded source so it can be retried.
    /// </summary>
    [Id(22)] public DateTimeOffset? DeadLetteredAt { get; init; }

    /// <summary>SHA-256 of the input's bytes (hex), once a run has fetched it.</summary>
    [Id(23)] public string? ContentHash { get; init; }

    /// <summary>Fingerprint of the ladder settings the outputs were made with.</summary>
    [Id(24)] public string? LadderHash { get; init; }

    /// <summary>
    /// The completed job of the same tenant whose outputs this job reuses, because its input bytes and ladder
    /// settings were the same; null when this job transcoded its input itself.
    /// </summary>
    [Id(25)] public Guid? ReusedFrom { get; init; }

    /// <summary>Where the service POSTs the job, signed, when it ends (a webhook); null for none.</summary>
    [Id(26)] public string? CallbackUrl { get; init; }
}

/// <summary>The stages a job reports while it runs.</summary>
public static class JobStages
{
    public const string Queued = "queued";
    public const string Downloading = "downloading";
    public const string Probing = "probing";
    public const string Encoding = "encoding";
    public const string Uploading = "uploading";
    public const string Done = "done";
}
