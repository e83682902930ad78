using System.ComponentModel;
using System.Text.Json.Serialization;
using Transcoder.Contracts;

namespace Transcoder.Api.Contracts;

/// <summary>What every way of submitting a job may set besides its input.</summary>
public abstract record JobSettingsRequest
{
    /// <summary>1 (most urgent) to 10. Default 5.</summary>
    [Description("1 (most urgent) to 10. Default 5.")]
    public int? Priority { get; init; }

    /// <summary>Attempts before a retryable failure sends the job to the dead-letter queue, 1 to 10. Default 3.</summary>
    [Description("Attempts before a retryable failure sends the job to the dead-letter queue, 1 to 10. Default 3.")]
    public int? MaxAttempts { get; init; }

    /// <summary>An http(s) URL the service POSTs the job to, signed, when it ends (a webhook).</summary>
    [Description("An https URL the service POSTs the job to, signed, when it ends (a webhook).")]
    public string? CallbackUrl { get; init; }

    /// <summary>What to call the video, up to 200 characters. Default: the uploaded file's name, or the URL's last segment.</summary>
    [Description("What to call the video, up to 200 characters. Default: the uploaded file's name, or the URL's last segment.")]
    public string? Name { get; init; }
}

/// <summary>A job submitted by URL. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateJobRequest : JobSettingsRequest
{
    /// <summary>An http(s) URL the service fetches the source from.</summary>
    [Description("An http(s) URL the service fetches the source from.")]
    public string? InputUrl { get; init; }
}

/// <summary>A page of jobs, newest first.</summary>
/// <param name="Items">The jobs.</param>
/// <param name="Next">Pass as <c>after</c> to get the next page; null on the last page.</param>
public sealed record JobListResponse(IReadOnlyList<JobResponse> Items, string? Next);

/// <summary>Jobs waiting for an encode slot.</summary>
/// <param name="Queued">All queued jobs.</param>
/// <param name="ByPriority">Queued jobs per priority, "1" (most urgent) to "10"; every priority is listed.</param>
/// <param name="Scope">"tenant" for the caller's own jobs, "cluster" for every tenant's (operators).</param>
public sealed record QueueResponse(long Queued, IReadOnlyDictionary<string, long> ByPriority, string Scope);

/// <summary>A progress message sent to hub clients watching a job.</summary>
public sealed record ProgressMessage(Guid JobId, string Status, double Percent, string Stage, DateTimeOffset At);
