using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Transcoder.Storage;

/// <summary>What the sweeper removes, and after how long. Section "Housekeeping".</summary>
public sealed class HousekeepingOptions
{
    public const string SectionName = "Housekeeping";

    /// <summary>How often each silo sweeps (they take turns on what is due). Default 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long an upload may stay without a job: a resumable upload not completed (or completed but its job
    /// refused, and not completed again), or a streamed one whose request never made a job. Default 2 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan AbandonedUploadAge { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How long a delivered or abandoned webhook's record is kept. Default 30 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan WebhookRetention { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>What one sweep removed.</summary>
public sealed record SweepResult(int Uploads, int Webhooks);

/// <summary>
/// Removes what nobody will come back for: uploads pending past their age (the multipart upload aborted, a joined
/// or streamed file deleted, unless a job owns it) and webhook records past their retention. Safe to run on every
/// silo at once: each pending upload is locked by the one sweeping it.
/// </summary>
public sealed partial class StorageSweeper(
    IUploadLedger ledger, IMultipartUploads uploads, IObjectStore store, IWebhookOutbox outbox, IOptions<HousekeepingOptions> options, ILogger<StorageSweeper> logger)
{
    private const int Batch = 100;
    private const int WebhookBatch = 1000;

    public async Task<SweepResult> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var uploadsRemoved = 0;
        int swept;
        do
        {
            swept = await ledger.SweepAsync(now - settings.AbandonedUploadAge, Batch, RemoveAsync, cancellationToken);
            uploadsRemoved += swept;
        }
        while (swept == Batch && !cancellationToken.IsCancellationRequested);

        var webhooksRemoved = 0;
        do
        {
            swept = await outbox.PruneAsync(now - settings.WebhookRetention, WebhookBatch, cancellationToken);
            webhooksRemoved += swept;
        }
        while (swept == WebhookBatch && !cancellationToken.IsCancellationRequested);

        if (uploadsRemoved + webhooksRemoved > 0)
        {
            Swept(logger, uploadsRemoved, webhooksRemoved);
        }

        return new SweepResult(uploadsRemoved, webhooksRemoved);
    }

    private async Task RemoveAsync(StaleUpload upload)
    {
        if (upload.OwnedByJob)
        {
            // Its job was made, but the request that made it did not get to forget the upload.
            return;
        }

        if (upload.UploadId is not null)
        {
            await uploads.AbortAsync(upload.ObjectKey, upload.UploadId, CancellationToken.None);
        }

        await store.DeleteAsync(upload.ObjectKey, CancellationToken.None);
        Removed(logger, upload.ObjectKey, upload.JobId);
    }

    [LoggerMessage(1201, LogLevel.Information, "Removed abandoned upload {ObjectKey} (job {JobId})")]
    private static partial void Removed(ILogger logger, string objectKey, Guid jobId);

    [LoggerMessage(1202, LogLevel.Information, "Swept {Uploads} abandoned uploads and {Webhooks} old webhook records")]
    private static partial void Swept(ILogger logger, int uploads, int webhooks);
}
