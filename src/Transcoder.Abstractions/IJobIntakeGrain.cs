namespace Transcoder.Abstractions;

/// <summary>
/// Where new jobs enter the cluster: a stateless worker on every silo that commits the submissions it receives
/// in batches. Use key 0.
/// </summary>
public interface IJobIntakeGrain : IGrainWithIntegerKey
{
    /// <summary>Most submissions in one <see cref="SubmitManyAsync"/> call, and most jobs committed together.</summary>
    const int MaxBatch = 1000;

    /// <summary>
    /// Creates up to <see cref="MaxBatch"/> jobs and queues their work, in one message: one outcome per submission, in
    /// order, each returned once that job is durable or has failed. Submitting the same spec under the same id again
    /// returns the existing job; a different spec under a taken id is a conflict.
    /// </summary>
    Task<SubmissionOutcome[]> SubmitManyAsync(JobSubmission[] submissions);
}

/// <summary>A job to create: its id (random, or derived from an idempotency key) and the request.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.job-submission")]
public sealed record JobSubmission([property: Id(0)] Guid Id, [property: Id(1)] JobSpec Spec);

/// <summary>What became of one submission: the job as stored, or why there is none.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.submission-outcome")]
public sealed record SubmissionOutcome(
    [property: Id(0)] JobView? Job,
    [property: Id(1)] SubmissionError Error = SubmissionError.None,
    [property: Id(2)] string? Message = null);

/// <summary>Why a submission made no job.</summary>
[GenerateSerializer]
public enum SubmissionError
{
    /// <summary>It did: the outcome has the job.</summary>
    None,

    /// <summary>The id is taken by a different request.</summary>
    Conflict,

    /// <summary>The job could not be made durable now (the database or the silo is unavailable); nothing was stored for it.</summary>
    Unavailable,

    /// <summary>The tenant is at its cap on jobs queued or running.</summary>
    TooManyJobsInFlight,
}
