using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>
/// The encode worker of one silo. A call only stops a run on this silo's <see cref="TranscodeRunner"/>: runs are
/// started by this silo's <see cref="JobDispatcher"/>, and the encode itself never runs inside a grain call.
/// </summary>
[SiloPinnedPlacement]
public sealed class TranscodeWorkerGrain(TranscodeRunner runner) : Grain, ITranscodeWorkerGrain
{
    public Task CancelAsync(Guid jobId, Guid runId) => runner.CancelAsync(jobId, runId);
}
