namespace Transcoder.Abstractions;

/// <summary>
/// The encode worker of one silo, keyed by that silo's address. It starts a run and returns at once;
/// the run reports back to its <see cref="ITranscodeJobGrain"/>.
/// </summary>
public interface ITranscodeWorkerGrain : IGrainWithStringKey
{
    /// <summary>Starts a run in the background on this silo.</summary>
    Task StartAsync(WorkItem item);

    /// <summary>Stops a run if it is still going and removes what it wrote. Idempotent.</summary>
    Task CancelAsync(Guid jobId, Guid runId);
}
