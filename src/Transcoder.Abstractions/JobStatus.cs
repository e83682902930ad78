namespace Transcoder.Abstractions;

/// <summary>Where a job is in its life. The API writes these in lower case.</summary>
public enum JobStatus
{
    /// <summary>Accepted and durable, waiting for an encode slot.</summary>
    Queued = 0,

    /// <summary>A worker holds the job and is fetching, encoding or uploading it.</summary>
    Processing = 1,

    /// <summary>Every rendition and both manifests are in the object store.</summary>
    Completed = 2,

    /// <summary>The job ended without output; <see cref="JobView.Error"/> says why.</summary>
    Failed = 3,

    /// <summary>The owner canceled the job; partial outputs were removed.</summary>
    Canceled = 4,
}

/// <summary>The stages a job reports while it runs.</summary>
public static class JobStages
{
    public const string Queued = "queued";
    public const string Downloading = "downloading";
    public const string Probing = "probing";
    public const string Encoding = "encoding";
    public const string Uploading = "uploading";
    public const string Done = "done";
}

/// <summary>Status helpers shared by the API and the grains.</summary>
public static class JobStatusExtensions
{
    /// <summary>True once the job can no longer change.</summary>
    public static bool IsTerminal(this JobStatus status) =>
        status is JobStatus.Completed or JobStatus.Failed or JobStatus.Canceled;

    /// <summary>The lower-case wire name of a status.</summary>
    public static string ToWire(this JobStatus status) => status switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Processing => "processing",
        JobStatus.Completed => "completed",
        JobStatus.Failed => "failed",
        JobStatus.Canceled => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Parses a wire name; false for anything else (including other casings of numbers).</summary>
    public static bool TryParseWire(string? value, out JobStatus status)
    {
        foreach (var candidate in Enum.GetValues<JobStatus>())
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }
}
