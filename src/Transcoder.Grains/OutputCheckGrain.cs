using Orleans.Concurrency;
using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>Checks a submission's outputs against its source on whichever silo takes the call (see <see cref="IOutputCheckGrain"/>).</summary>
[StatelessWorker]
public sealed class OutputCheckGrain(IOutputChecks checks) : Grain, IOutputCheckGrain
{
    public Task<OutputRefusal?> CheckAsync(JobInput input, TrackOptions? tracks, OutputOptions outputs) =>
        checks.CheckAsync(input, tracks, outputs, CancellationToken.None);
}
