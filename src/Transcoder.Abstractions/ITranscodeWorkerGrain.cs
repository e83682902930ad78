namespace Transcoder.Abstractions;

/// <summary>
/// The encode worker of one silo, keyed by that silo's address: how a job grain reaches the run it started on
/// that silo. Runs report back to their <see cref="ITranscodeJobGrain"/>.
/// </summary>
public interface ITranscodeWorkerGrain : IGrainWithStringKey
{
    /// <summary>Stops a run if it is still going and removes what it wrote. Idempotent.</summary>
    Task CancelAsync(Guid jobId, Guid runId);
}
