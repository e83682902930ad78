using Microsoft.AspNetCore.Http.HttpResults;
using Transcoder.Storage;

namespace Transcoder.Api.Apis;

/// <summary>
/// What a tenant may hold in uploads no job owns yet (a count and declared bytes, across every replica through the
/// ledger), and how many streamed uploads this replica runs at once.
/// </summary>
public sealed class UploadAllowance(IUploadLedger ledger, Microsoft.Extensions.Options.IOptions<ApiOptions> options)
{
    /// <summary>A streamed upload's wait is short: the ones in progress finish in seconds to minutes.</summary>
    private const string StreamedRetryAfterSeconds = "5";

    private readonly SemaphoreSlim _streamed = new(options.Value.MaxConcurrentStreamedUploads, options.Value.MaxConcurrentStreamedUploads);

    /// <summary>Records the upload against the tenant's caps; a refusal is the problem to answer with.</summary>
    public async Task<ProblemHttpResult?> ReserveAsync(string tenant, Guid jobId, string objectKey, long declaredBytes, CancellationToken cancellationToken)
    {
        var caps = options.Value.UploadCapsFor(tenant);
        if (declaredBytes > caps.MaxOpenBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Upload larger than the tenant's allowance",
                detail: $"The upload declares {declaredBytes} bytes; this tenant's uploads may hold {caps.MaxOpenBytes} bytes at once.");
        }

        var reservation = await ledger.ReserveAsync(tenant, jobId, objectKey, declaredBytes, caps, cancellationToken);
        return reservation.Taken
            ? null
            : TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many open uploads",
                detail: $"This tenant has {reservation.OpenUploads} uploads open, declaring {reservation.OpenBytes} bytes; the caps are "
                    + $"{caps.MaxOpenUploads} uploads and {caps.MaxOpenBytes} bytes. Complete or abort one (DELETE /v1/uploads/{{id}}); "
                    + "uploads left open are removed after a while.");
    }

    /// <summary>Notes the bucket's multipart upload id, for the sweeper to abort it if it is left.</summary>
    public Task SetUploadIdAsync(string objectKey, string uploadId) => ledger.SetUploadIdAsync(objectKey, uploadId, CancellationToken.None);

    /// <summary>Forgets the upload: its job owns the file, or the file is gone.</summary>
    public Task ReleaseAsync(string objectKey) => ledger.ReleaseAsync(objectKey, CancellationToken.None);

    /// <summary>A slot for one streamed upload on this replica, or null when all are taken.</summary>
    public IDisposable? TryTakeStreamedSlot() => _streamed.Wait(0) ? new Slot(_streamed) : null;

    /// <summary>The answer when no slot is free: 503, and when to try again.</summary>
    public static ProblemHttpResult Busy(HttpContext context)
    {
        context.Response.Headers.RetryAfter = StreamedRetryAfterSeconds;
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many uploads in progress",
            detail: "This replica is receiving as many uploads as it takes at once; send again after Retry-After seconds, or use a resumable upload (/v1/uploads), whose parts go straight to the bucket.");
    }

    private sealed class Slot(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
