using Orleans.Concurrency;
using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>
/// The entry point of new jobs on each silo. Stateless and reentrant: every call waits on the silo's
/// <see cref="JobIntake"/>, so concurrent submissions share its commits instead of queueing behind each other.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class JobIntakeGrain(JobIntake intake) : Grain, IJobIntakeGrain
{
    public Task<JobSnapshot> SubmitAsync(Guid id, JobSpec spec) => intake.SubmitAsync(id, spec);
}
