using System.Collections.Immutable;

namespace Transcoder.Abstractions;

/// <summary>
/// One transcode job, keyed by its id: a plan of work items and their runs. It owns the job's durable state, keeps
/// each waiting item in the queue silos pull work from, starts a run when a silo claims an item, accepts reports only
/// from an item's current run, and publishes every change on the job's stream.
/// </summary>
public interface ITranscodeJobGrain : IGrainWithGuidKey
{
    /// <summary>The job, or null if it was never submitted.</summary>
    Task<JobView?> GetAsync();

    /// <summary>Cancels the job unless it already ended; returns the resulting job, or null if unknown.</summary>
    Task<JobView?> CancelAsync();

    /// <summary>
    /// Requeues a dead-lettered job with a fresh set of attempts. Returns the job (unchanged if it is not a dead
    /// letter), or null if it was never submitted.
    /// </summary>
    Task<JobView?> RetryAsync();

    /// <summary>
    /// A silo claimed one of the job's items from the queue and has a free slot for it: starts a run there and
    /// returns it, or null if the item needs no run (the job ended). If the item's previous run was still current,
    /// its silo stopped holding the claim, so that run is presumed lost.
    /// </summary>
    Task<WorkAssignment?> StartRunAsync(WorkClaim claim);

    /// <summary>The silo running <paramref name="run"/> is shutting down: the item goes back to the queue at once, without spending an attempt.</summary>
    Task HandBackAsync(WorkRun run);

    /// <summary>Progress of a run (0..100 of its item). Ignored unless the run is current.</summary>
    Task ReportProgressAsync(WorkRun run, double percent, string stage);

    /// <summary>A run has published manifests viewers can start playing. Ignored unless the run is current.</summary>
    Task ReportPlayableAsync(WorkRun run, string hlsKey, string dashKey);

    /// <summary>
    /// A run finished and its outputs are stored. True if the job took them (also when the same run reports again);
    /// false if the run is not current, and its outputs are the run's to remove.
    /// </summary>
    Task<bool> ReportCompletedAsync(WorkRun run, JobOutputs outputs);

    /// <summary>A run failed. Returns false if the run is not current.</summary>
    Task<bool> ReportFailedAsync(WorkRun run, JobError error, bool retryable);

    /// <summary>
    /// The title run found the video long enough to chunk: adds a chunk item per chunk of <paramref name="split"/> to
    /// the queue (the first time; a title run that starts over gets the split already made). Returns the split in
    /// effect, or null if the run is not current.
    /// </summary>
    Task<ChunkSplit?> SplitAsync(WorkRun run, ChunkSplit split);

    /// <summary>
    /// A chunk run finished and its segments are stored. True if the job took them (also when the same run reports
    /// again); false if the run is not current.
    /// </summary>
    Task<bool> ReportChunkAsync(WorkRun run, ChunkOutput output);

    /// <summary>The chunks of the split, in order, as the title run waits for them; null if <paramref name="run"/> is not current.</summary>
    Task<ImmutableArray<ChunkProgress>?> GetChunksAsync(WorkRun run);
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
