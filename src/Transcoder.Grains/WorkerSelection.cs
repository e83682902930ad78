using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>A worker grain chosen for a run, and the name of the silo it lives on.</summary>
public sealed record WorkerChoice(string Key, string Node);

/// <summary>Chooses the silo a job runs on.</summary>
public interface IWorkerSelector
{
    /// <summary>A worker with room for the job, or null to wait.</summary>
    Task<WorkerChoice?> PickAsync(JobSnapshot job);
}

/// <summary>
/// Runs the job on the silo its job grain lives on, so work spreads across silos as job grains do. The
/// runner's slot limit keeps a silo from running more encodes than it has room for; the rest wait there.
/// </summary>
public sealed class LocalWorkerSelector(ILocalSiloDetails silo) : IWorkerSelector
{
    public Task<WorkerChoice?> PickAsync(JobSnapshot job) =>
        Task.FromResult<WorkerChoice?>(new WorkerChoice(WorkerKeys.For(silo.SiloAddress), silo.Name));
}

/// <summary>Worker grain keys: the parsable address of the silo the worker runs on.</summary>
public static class WorkerKeys
{
    public static string For(SiloAddress silo) => silo.ToParsableString();
}
