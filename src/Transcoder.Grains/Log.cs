using Microsoft.Extensions.Logging;

namespace Transcoder.Grains;

internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "Job {JobId} submitted by {Tenant} at priority {Priority}")]
    public static partial void JobSubmitted(ILogger logger, Guid jobId, string tenant, int priority);

    [LoggerMessage(3002, LogLevel.Information, "Job {JobId} of {Tenant} run {RunId} started on {Node} (attempt {Attempt})")]
    public static partial void RunStarted(ILogger logger, Guid jobId, string tenant, Guid runId, string node, int attempt);

    [LoggerMessage(3003, LogLevel.Information, "Job {JobId} of {Tenant} completed with {Renditions} renditions")]
    public static partial void JobCompleted(ILogger logger, Guid jobId, string tenant, int renditions);

    [LoggerMessage(3004, LogLevel.Warning, "Job {JobId} of {Tenant} attempt {Attempt} failed: {Code} {Message} (retryable: {Retryable})")]
    public static partial void RunFailed(ILogger logger, Guid jobId, string tenant, int attempt, string code, string message, bool retryable);

    [LoggerMessage(3005, LogLevel.Information, "Job {JobId} of {Tenant} canceled")]
    public static partial void JobCanceled(ILogger logger, Guid jobId, string tenant);

    [LoggerMessage(3020, LogLevel.Warning, "Job {JobId} of {Tenant} dead-lettered after {Attempts} attempts: {Code}")]
    public static partial void JobDeadLettered(ILogger logger, Guid jobId, string tenant, int attempts, string code);

    [LoggerMessage(3021, LogLevel.Information, "Job {JobId} of {Tenant} requeued from the dead-letter queue")]
    public static partial void JobRetried(ILogger logger, Guid jobId, string tenant);

    [LoggerMessage(3022, LogLevel.Information, "Job {JobId} of {Tenant} run {RunId} handed back to the queue: its silo is shutting down")]
    public static partial void RunHandedBack(ILogger logger, Guid jobId, string tenant, Guid runId);

    [LoggerMessage(3023, LogLevel.Warning, "Job {JobId} could not be updated in the queue")]
    public static partial void QueueUpdateFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3024, LogLevel.Information, "Job {JobId} of {Tenant} reuses the outputs of job {ReusedFrom}: same input bytes and ladder")]
    public static partial void OutputsReused(ILogger logger, Guid jobId, string tenant, Guid reusedFrom);

    [LoggerMessage(3006, LogLevel.Warning, "Job {JobId} refused a report from run {RunId}, which is not current")]
    public static partial void StaleReport(ILogger logger, Guid jobId, Guid runId);

    [LoggerMessage(3007, LogLevel.Warning, "Job {JobId} could not be dispatched to {Node}")]
    public static partial void DispatchFailed(ILogger logger, Guid jobId, string node, Exception exception);

    [LoggerMessage(3008, LogLevel.Warning, "Job {JobId} of {Tenant} run {RunId} on {Node} stopped reporting; presumed lost")]
    public static partial void RunLost(ILogger logger, Guid jobId, string tenant, Guid runId, string? node);

    [LoggerMessage(3009, LogLevel.Warning, "Job {JobId} could not stop its run on worker {Worker}")]
    public static partial void StopFailed(ILogger logger, Guid jobId, string worker, Exception exception);

    [LoggerMessage(3010, LogLevel.Warning, "Job {JobId} row could not be written; will retry")]
    public static partial void ProjectionFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3011, LogLevel.Warning, "Job {JobId} progress event could not be published")]
    public static partial void PublishFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3101, LogLevel.Information, "Job {JobId} of {Tenant} planned {Rungs} rungs for a {DurationSeconds} s source")]
    public static partial void Planned(ILogger logger, Guid jobId, string tenant, int rungs, double durationSeconds);

    [LoggerMessage(3102, LogLevel.Information, "Job {JobId} of {Tenant} run {RunId} canceled")]
    public static partial void RunCanceled(ILogger logger, Guid jobId, string tenant, Guid runId);

    [LoggerMessage(3103, LogLevel.Warning, "Job {JobId} of {Tenant} run {RunId} failed with {Code}")]
    public static partial void RunFailed(ILogger logger, Guid jobId, string tenant, Guid runId, string code, Exception exception);

    [LoggerMessage(3104, LogLevel.Warning, "Job {JobId}: the failure report did not reach the job")]
    public static partial void ReportFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3106, LogLevel.Warning, "Job {JobId}: live publishing failed; will retry")]
    public static partial void LivePublishFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(3105, LogLevel.Warning, "Could not remove {Location}")]
    public static partial void CleanupFailed(ILogger logger, string location, Exception exception);
}
