namespace Transcoder.Abstractions;

/// <summary>
/// The worker of one silo, keyed by that silo's worker key (<see cref="WorkerKeys"/>): how a job reaches a run it
/// started on that silo. Runs report back to their <see cref="ITranscodeJobGrain"/>.
/// </summary>
public interface ITranscodeWorkerGrain : IGrainWithStringKey
{
    /// <summary>Stops a run if it is still going and removes what it wrote; returns once it has (bounded). Idempotent.</summary>
    Task StopAsync(Guid jobId, WorkRun run);
}

/// <summary>The runs of the silo this code runs on, as its worker grain reaches them.</summary>
public interface IWorkRuns
{
    /// <inheritdoc cref="ITranscodeWorkerGrain.StopAsync"/>
    Task StopAsync(Guid jobId, WorkRun run);
}
