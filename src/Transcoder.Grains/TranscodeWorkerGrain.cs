using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>
/// The encode worker of one silo. A call only starts or stops a run on this silo's <see cref="TranscodeRunner"/>
/// and returns: the encode itself never runs inside a grain call.
/// </summary>
[SiloPinnedPlacement]
public sealed class TranscodeWorkerGrain(TranscodeRunner runner) : Grain, ITranscodeWorkerGrain
{
    public Task StartAsync(WorkItem item)
    {
        runner.Start(item);
        return Task.CompletedTask;
    }

    public Task CancelAsync(Guid jobId, Guid runId) => runner.CancelAsync(jobId, runId);
}
