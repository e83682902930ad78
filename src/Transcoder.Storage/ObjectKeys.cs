namespace Transcoder.Storage;

/// <summary>Where a job's objects live: everything under <c>{tenant}/{jobId}/</c>.</summary>
public static class ObjectKeys
{
    /// <summary>The prefix of all of a job's objects, ending in '/'.</summary>
    public static string JobPrefix(string tenant, Guid jobId) => $"{tenant}/{jobId:D}/";

    /// <summary>The object a resumable upload's source is stored as (its job id is new for each upload).</summary>
    public static string Source(string tenant, Guid jobId) => $"{JobPrefix(tenant, jobId)}source/input";

    /// <summary>
    /// The object one streamed upload request stores its file as. Requests that share an Idempotency-Key share the
    /// job id, so each writes its own object: one refused, or the one whose job already exists, removes only its own.
    /// </summary>
    public static string StreamedSource(string tenant, Guid jobId, Guid requestId) => $"{JobPrefix(tenant, jobId)}source/{requestId:N}";

    /// <summary>A caption file sent with the upload stored at <paramref name="sourceKey"/>, as the API checked and wrote it (WebVTT).</summary>
    public static string Caption(string sourceKey, int index) => $"{sourceKey}-captions/{index}.vtt";

    /// <summary>The prefix of everything one attempt (run) of a job writes; only the accepted run's stays.</summary>
    public static string Run(string tenant, Guid jobId, Guid runId) => $"{JobPrefix(tenant, jobId)}{runId:N}/";

    /// <summary>The package of a title encoded in chunks: every chunk run and the title run write under it.</summary>
    public static string Package(string tenant, Guid jobId, Guid packageId) => Run(tenant, jobId, packageId);
}
