using Transcoder.Abstractions;

namespace Transcoder.Testing;

/// <summary>Submitting jobs the way the API does: through a silo's intake, one at a time.</summary>
public static class Submissions
{
    /// <summary>Creates the job and queues its work; returns once both are durable.</summary>
    /// <exception cref="InvalidOperationException">The intake did not take it (conflict, cap, unavailable).</exception>
    public static async Task<JobView> SubmitAsync(this IJobIntakeGrain intake, Guid id, JobSpec spec)
    {
        var outcome = (await intake.SubmitManyAsync([new JobSubmission(id, spec)])).Single();
        return outcome.Job ?? throw new InvalidOperationException($"Job {id} was not submitted: {outcome.Error} {outcome.Message}");
    }

    /// <summary>Submits through the intake of the silo this client reaches first.</summary>
    public static Task<JobView> SubmitJobAsync(this IGrainFactory grains, Guid id, JobSpec spec) =>
        grains.GetGrain<IJobIntakeGrain>(0).SubmitAsync(id, spec);
}
