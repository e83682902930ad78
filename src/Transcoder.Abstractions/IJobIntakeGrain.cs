namespace Transcoder.Abstractions;

/// <summary>
/// Where new jobs enter the cluster: a stateless worker on every silo that commits the submissions it receives
/// in batches. Use key 0.
/// </summary>
public interface IJobIntakeGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Creates job <paramref name="id"/> and queues it; returns once both are durable. Submitting the same spec
    /// again returns the existing job.
    /// </summary>
    /// <exception cref="JobConflictException">The id is taken by a different spec.</exception>
    Task<JobSnapshot> SubmitAsync(Guid id, JobSpec spec);
}
