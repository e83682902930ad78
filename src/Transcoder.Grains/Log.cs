using Microsoft.Extensions.Logging;

namespace Transcoder.Grains;

/// <summary>The grains' log events (ids 3000-3099).</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "Job {JobId} submitted by {Tenant} at priority {Priority}")]
    public static partial void JobSubmitted(ILogger logger, Guid jobId, string tenant, int priority);

    [LoggerMessage(3002, LogLevel.Information, "Job {JobId} of {Tenant}: item {ItemId} run {RunId} started on {Node} (attempt {Attempt})")]
    public static partial void RunStarted(ILogger logger, Guid jobId, string tenant, string itemId, Guid runId, string node, int attempt);

    [LoggerMessage(3003, LogLevel.Information, "Job {JobId} of {Tenant} completed with {Renditions} renditions")]
    public static partial void JobCompleted(ILogger logger, Guid jobId, string tenant, int renditions);

    [LoggerMessage(3004, LogLevel.Warning, "Job {JobId} of {Tenant}: item {ItemId} attempt {Attempt} failed with {Code} ({Message}); retrying in {Delay}")]
    public static partial void RetryScheduled(ILogger logger, Guid jobId, string tenant, string itemId, int attempt, string code, string message, TimeSpan delay);

    [LoggerMessage(3005, LogLevel.Information, "Job {JobId} of {Tenant} canceled")]
    public static partial void JobCanceled(ILogger logger, Guid jobId, string tenant);

    [LoggerMessage(3006, LogLevel.Warning, "Job {JobId} refused a report from run {RunId} of item {ItemId}, which is not current")]
    public static partial void StaleReport(ILogger logger, Guid jobId, string itemId, Guid runId);

    [LoggerMessage(3008, LogLevel.Warning, "Job {JobId} of {Tenant}: item {ItemId} run {RunId} on {Node} presumed lost ({Reason})")]
    public static partial void RunLost(ILogger logger, Guid jobId, string tenant, string itemId, Guid runId, string? node, Lifecycle.RunLoss reason);

    [LoggerMessage(3009, LogLevel.Warning, "Job {JobId} could not stop run {RunId} on worker {Worker}")]
    public static partial void StopFailed(ILogger logger, Guid jobId, Guid runId, string worker, Exception exception);

    [LoggerMessage(3010, LogLevel.Warning, "Job {JobId} row could not be written; will retry")]
    public static partial void ProjectionFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3011, LogLevel.Warning, "Job {JobId} progress event could not be published")]
    public static partial void PublishFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3012, LogLevel.Warning, "Job {JobId} of {Tenant} failed with {Code} ({Message}) after {Attempts} attempts; it is not retried")]
    public static partial void JobFailed(ILogger logger, Guid jobId, string tenant, string code, string message, int attempts);

    [LoggerMessage(3020, LogLevel.Warning, "Job {JobId} of {Tenant} dead-lettered after {Attempts} attempts: {Code}")]
    public static partial void JobDeadLettered(ILogger logger, Guid jobId, string tenant, int attempts, string code);

    [LoggerMessage(3021, LogLevel.Information, "Job {JobId} of {Tenant} requeued from the dead-letter queue")]
    public static partial void JobRequeued(ILogger logger, Guid jobId, string tenant);

    [LoggerMessage(3022, LogLevel.Information, "Job {JobId} of {Tenant}: item {ItemId} run {RunId} handed back to the queue: its silo is shutting down")]
    public static partial void RunHandedBack(ILogger logger, Guid jobId, string tenant, string itemId, Guid runId);

    [LoggerMessage(3023, LogLevel.Warning, "Job {JobId} could not be updated in the queue")]
    public static partial void QueueUpdateFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3025, LogLevel.Warning, "Could not remove {Location}")]
    public static partial void CleanupFailed(ILogger logger, string location, Exception exception);

    [LoggerMessage(3026, LogLevel.Debug, "Committed {Count} new jobs")]
    public static partial void BatchCommitted(ILogger logger, int count);

    [LoggerMessage(3027, LogLevel.Error, "Could not commit {Count} new jobs; their submissions fail")]
    public static partial void BatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(3028, LogLevel.Error, "Job {JobId}: its watchdog failed; the activation is dropped and reloads from storage")]
    public static partial void WatchdogFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3029, LogLevel.Information, "Job {JobId} of {Tenant}: item {ItemId} claimed again by {Node}, which runs it; run {RunId} goes on")]
    public static partial void RunClaimedAgain(ILogger logger, Guid jobId, string tenant, string itemId, Guid runId, string node);

    [LoggerMessage(3030, LogLevel.Information, "Job {JobId} of {Tenant}: the video is split into {Count} chunks of {ChunkSeconds} s, queued in order")]
    public static partial void SplitPlanned(ILogger logger, Guid jobId, string tenant, int count, int chunkSeconds);
}
