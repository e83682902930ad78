using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>
/// The worker of one silo: how a job reaches a run on that silo to stop it. Runs are started by the silo's own
/// dispatcher, never inside a grain call; this grain only forwards a stop to the silo's <see cref="IWorkRuns"/>.
/// </summary>
[SiloPinnedPlacement]
public sealed class TranscodeWorkerGrain(IWorkRuns runs) : Grain, ITranscodeWorkerGrain
{
    public Task StopAsync(Guid jobId, WorkRun run) => runs.StopAsync(jobId, run);
}
