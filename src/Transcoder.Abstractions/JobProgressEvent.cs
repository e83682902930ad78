namespace Transcoder.Abstractions;

/// <summary>
/// A change of a job's status or progress, published on the job's stream. <see cref="At"/> is when the job changed
/// (its <see cref="JobView.UpdatedAt"/>), which only ever grows: the newer of two events is the later one.
/// </summary>
[GenerateSerializer, Immutable, Alias("transcoder.job-progress")]
public sealed record JobProgressEvent(
    [property: Id(0)] Guid JobId,
    [property: Id(1)] JobStatus Status,
    [property: Id(2)] double Percent,
    [property: Id(3)] string Stage,
    [property: Id(4)] DateTimeOffset At)
{
    /// <summary>The event that describes a job as it stands.</summary>
    public static JobProgressEvent From(JobView job) =>
        new(job.Id, job.Status, job.Progress, job.Stage, job.UpdatedAt);
}

/// <summary>Names shared by publishers and subscribers of job events.</summary>
public static class JobStreams
{
    /// <summary>The stream provider that carries job events.</summary>
    public const string ProviderName = "JobEvents";

    /// <summary>The stream namespace; the stream key is the job id.</summary>
    public const string Namespace = "job-progress";
}
