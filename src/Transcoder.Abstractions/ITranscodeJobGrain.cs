namespace Transcoder.Abstractions;

/// <summary>
/// One transcode job, keyed by its id. It owns the job's durable state, keeps the job in the queue silos pull
/// work from while it has not ended, starts an attempt when a silo claims it, accepts reports only from the
/// attempt it started, and publishes every change on the job's stream.
/// </summary>
public interface ITranscodeJobGrain : IGrainWithGuidKey
{
    /// <summary>Creates the job. Submitting the same spec again returns the existing job.</summary>
    /// <exception cref="JobConflictException">The id is taken by a different spec.</exception>
    Task<JobSnapshot> SubmitAsync(JobSpec spec);

    /// <summary>The job, or null if it was never submitted.</summary>
    Task<JobSnapshot?> GetAsync();

    /// <summary>Cancels the job unless it already ended; returns the resulting state, or null if unknown.</summary>
    Task<JobSnapshot?> CancelAsync();

    /// <summary>
    /// Requeues a dead-lettered job with a fresh set of attempts. Returns the job (unchanged if it is not a dead
    /// letter), or null if it was never submitted.
    /// </summary>
    Task<JobSnapshot?> RetryAsync();

    /// <summary>
    /// A silo claimed the job from the queue and has a free slot for it: starts an attempt there and returns it
    /// (its run id is the fencing token), or returns null if the job has ended and needs no run. If another
    /// attempt was still current, its silo stopped holding the claim, so that attempt is presumed lost.
    /// </summary>
    Task<WorkItem?> StartRunAsync(string worker, string node);

    /// <summary>
    /// The silo running <paramref name="runId"/> is shutting down before the run finished: the job goes back to
    /// the queue at once, without spending an attempt.
    /// </summary>
    Task HandBackAsync(Guid runId);

    /// <summary>Progress of a running attempt. Ignored unless <paramref name="runId"/> is the current run.</summary>
    Task ReportProgressAsync(Guid runId, double percent, string stage);

    /// <summary>
    /// A run has published its master playlist and the first segment of every rendition: viewers can start
    /// playing while it encodes the rest. Ignored unless <paramref name="runId"/> is the current run.
    /// </summary>
    Task ReportPlayableAsync(Guid runId, string hlsKey, string dashKey);

    /// <summary>A run finished and its outputs are stored. Returns false if the run is no longer current.</summary>
    Task<bool> ReportCompletedAsync(Guid runId, TranscodeOutput output);

    /// <summary>A run failed. Returns false if the run is no longer current.</summary>
    Task<bool> ReportFailedAsync(Guid runId, JobError error, bool retryable);
}

/// <summary>Thrown when a job id is reused for a different request.</summary>
[GenerateSerializer, Alias("transcoder.job-conflict")]
public sealed class JobConflictException : Exception
{
    public JobConflictException()
    {
    }

    public JobConflictException(string message)
        : base(message)
    {
    }

    public JobConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Thrown when a tenant submits a job while at its cap on jobs in flight (queued or running).</summary>
[GenerateSerializer, Alias("transcoder.jobs-in-flight-cap")]
public sealed class JobsInFlightCapException : Exception
{
    public JobsInFlightCapException()
    {
    }

    public JobsInFlightCapException(string message)
        : base(message)
    {
    }

    public JobsInFlightCapException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
