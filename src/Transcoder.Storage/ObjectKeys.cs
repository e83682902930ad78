namespace Transcoder.Storage;

/// <summary>Where a job's objects live: everything under <c>{tenant}/{jobId}/</c>.</summary>
public static class ObjectKeys
{
    /// <summary>The prefix of all of a job's objects, ending in '/'.</summary>
    public static string JobPrefix(string tenant, Guid jobId) => $"{tenant}/{jobId:D}/";

    /// <summary>The object an uploaded source is stored as.</summary>
    public static string Source(string tenant, Guid jobId) => $"{JobPrefix(tenant, jobId)}source/input";

    /// <summary>The prefix of everything one attempt (run) of a job writes; only the accepted run's stays.</summary>
    public static string Run(string tenant, Guid jobId, Guid runId) => $"{JobPrefix(tenant, jobId)}{runId:N}/";
}
