namespace Transcoder.Abstractions;

/// <summary>
/// The job as everyone outside its grain reads it: what was asked (<see cref="Spec"/>), where it stands (the status
/// fields) and what it has published (<see cref="Outputs"/>). The grain computes it from its state, the jobs row
/// stores it, and the API and webhooks answer from it.
/// </summary>
[GenerateSerializer, Immutable, Alias("transcoder.job-view")]
public sealed record JobView
{
    [Id(0)] public required Guid Id { get; init; }

    [Id(1)] public required JobSpec Spec { get; init; }

    [Id(2)] public required JobStatus Status { get; init; }

    /// <summary>0 to 100, over every work item of the job.</summary>
    [Id(3)] public double Progress { get; init; }

    /// <summary>What the job is doing: one of <see cref="JobStages"/>.</summary>
    [Id(4)] public string Stage { get; init; } = JobStages.Queued;

    /// <summary>Attempts made so far (of the work item that made the most).</summary>
    [Id(5)] public int Attempts { get; init; }

    /// <summary>The silo that runs, or last ran, the job's work.</summary>
    [Id(6)] public string? ProcessingNode { get; init; }

    [Id(7)] public required DateTimeOffset CreatedAt { get; init; }

    [Id(8)] public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When viewers could start playing, while the job still encoded.</summary>
    [Id(9)] public DateTimeOffset? PlayableAt { get; init; }

    [Id(10)] public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When the job ran out of attempts on failures that may pass and went to the dead-letter queue.</summary>
    [Id(11)] public DateTimeOffset? DeadLetteredAt { get; init; }

    [Id(12)] public DateTimeOffset UpdatedAt { get; init; }

    [Id(13)] public JobError? Error { get; init; }

    /// <summary>Null until the job is playable.</summary>
    [Id(14)] public JobOutputs? Outputs { get; init; }

    public string Tenant => Spec.Tenant;
}
