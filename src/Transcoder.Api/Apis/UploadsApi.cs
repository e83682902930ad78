using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Api.Auth;
using Transcoder.Api.Contracts;
using Transcoder.Api.Hubs;
using Transcoder.Storage;
using Transcoder.Contracts.Webhooks;
using Transcoder.Contracts;

namespace Transcoder.Api.Apis;

/// <summary>
/// Resumable uploads over S3 multipart: the client asks for an upload, PUTs each part straight to the bucket at a
/// presigned URL, and completes it, which submits the job. The bytes never touch an API replica; after an
/// interruption the client asks which parts the bucket holds and sends only the rest. Any S3 multipart client
/// that takes presigned part URLs from a server (Uppy's AwsS3 plugin, for one) speaks this.
/// The upload's object key holds the caller's tenant and the upload id, so another tenant's upload is simply
/// not found, and no record of the upload is kept outside the bucket.
/// </summary>
public static class UploadsApi
{
    private const int MostParts = 10_000;

    // S3 refuses to join a part smaller than this unless it is the last.
    private const long SmallestPart = 5 * 1024 * 1024;

    public static RouteGroupBuilder MapUploadsApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/uploads").WithTags("Uploads");

        api.MapPost("/", CreateUpload)
            .WithName("CreateUpload")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithSummary("Start a resumable upload")
            .WithDescription("JSON {size}. Returns the upload's id (the id its job will have), the bucket's uploadId, and how to split the file into parts.");

        api.MapGet("/{id}/parts/{partNumber}", GetPartUrl)
            .WithName("GetUploadPartUrl")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get a part's upload URL")
            .WithDescription("A presigned URL to PUT the part's bytes to, straight to the bucket; the ETag header of that PUT is the part's tag.");

        api.MapGet("/{id}", GetUpload)
            .WithName("GetUpload")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get an upload's parts")
            .WithDescription("The parts the bucket holds: after an interruption, send only the others. 404 once the upload is completed or aborted.");

        api.MapPost("/{id}/complete", CompleteUpload)
            .WithName("CompleteUpload")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Complete an upload and submit its job")
            .WithDescription("Joins the parts and submits the job (202, as POST /v1/jobs). Completing again returns the same job.");

        api.MapDelete("/{id}", AbortUpload)
            .WithName("AbortUpload")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Abort an upload")
            .WithDescription("Drops the upload and every part sent.");

        return api;
    }

    public static async Task<Results<Created<UploadResponse>, ValidationProblem, ProblemHttpResult>> CreateUpload(
        CreateUploadRequest request, HttpContext context, IMultipartUploads uploads, IOptions<ApiOptions> options, UploadAllowance allowance)
    {
        var limits = options.Value;
        if (request.Size is not { } size || size < 1)
        {
            return TypedResults.ValidationProblem(JobsApi.Error("size", "Must be the file's size in bytes, at least 1."));
        }

        if (size > limits.MaxUploadBytes)
        {
            return TypedResults.ValidationProblem(JobsApi.Error("size", $"Must be at most {limits.MaxUploadBytes} bytes."));
        }

        var partSize = PartSize(size, limits.UploadPartBytes);
        var id = Guid.CreateVersion7();
        var tenant = context.User.Tenant();
        var key = ObjectKeys.Source(tenant, id);
        if (await allowance.ReserveAsync(tenant, id, key, size, context.RequestAborted) is { } refused)
        {
            return refused;
        }

        string uploadId;
        try
        {
            uploadId = await uploads.StartAsync(key, context.RequestAborted);
        }
        catch
        {
            await allowance.ReleaseAsync(key);
            throw;
        }

        await allowance.SetUploadIdAsync(key, uploadId);
        var partCount = (int)((size + partSize - 1) / partSize);
        return TypedResults.Created(ApiRoutes.Upload(id, uploadId), new UploadResponse(id, uploadId, size, partSize, partCount));
    }

    public static async Task<Results<Ok<PartUrlResponse>, ValidationProblem, ProblemHttpResult>> GetPartUrl(
        string id, string partNumber, string? uploadId, HttpContext context, IMultipartUploads uploads, IOptions<ApiOptions> options)
    {
        if (!TryRead(id, uploadId, out var jobId, out var invalid))
        {
            return invalid;
        }

        if (!int.TryParse(partNumber, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number is < 1 or > MostParts)
        {
            return TypedResults.ValidationProblem(JobsApi.Error("partNumber", $"Must be a whole number from 1 to {MostParts}."));
        }

        // Signing is local; this read makes a URL for an unknown (or another tenant's) upload a 404 here
        // rather than a failed PUT later.
        var key = ObjectKeys.Source(context.User.Tenant(), jobId);
        if (!await uploads.ExistsAsync(key, uploadId!, context.RequestAborted))
        {
            return NotFound(jobId);
        }

        var expires = DateTimeOffset.UtcNow + options.Value.UploadUrlLifetime;
        var url = await uploads.PresignPartAsync(key, uploadId!, number, expires.UtcDateTime);
        return TypedResults.Ok(new PartUrlResponse(number, url, expires));
    }

    public static async Task<Results<Ok<UploadStatusResponse>, ValidationProblem, ProblemHttpResult>> GetUpload(
        string id, string? uploadId, HttpContext context, IMultipartUploads uploads, UploadAllowance allowance)
    {
        if (!TryRead(id, uploadId, out var jobId, out var invalid))
        {
            return invalid;
        }

        var parts = await uploads.ListPartsAsync(ObjectKeys.Source(context.User.Tenant(), jobId), uploadId!, context.RequestAborted);
        return parts is null
            ? NotFound(jobId)
            : TypedResults.Ok(new UploadStatusResponse(jobId, uploadId!, parts.Sum(p => p.Size), [.. parts.Select(p => new UploadedPartResponse(p.PartNumber, p.Size, p.ETag))]));
    }

    public static async Task<Results<Accepted<JobResponse>, ValidationProblem, ProblemHttpResult>> CompleteUpload(
        string id, HttpContext context, IClusterClient cluster, JobSubmitter submitter, IMultipartUploads uploads, IObjectStore store,
        JobLinks links, IOptions<ApiOptions> options, IOptions<WebhookOptions> webhooks, UploadAllowance allowance, TenantFeed feed)
    {
        if (!Guid.TryParseExact(id, "D", out var jobId))
        {
            return TypedResults.ValidationProblem(JobsApi.Error("id", "Must be a UUID like 0190a5d4-1c2b-7d3e-9f00-123456789abc."));
        }

        var tenant = context.User.Tenant();
        var (request, tracks, outputs, errors) = await ReadCompleteRequestAsync(context.Request, tenant, options.Value, webhooks.Value, context.RequestAborted);
        if (request is null)
        {
            return TypedResults.ValidationProblem(errors!);
        }

        if (await cluster.GetGrain<ITranscodeJobGrain>(jobId).GetAsync() is { } existing)
        {
            // Completed before (a retried request): the same job, as an Idempotency-Key replay would answer.
            if (existing.Tenant != tenant)
            {
                return NotFound(jobId);
            }

            context.Response.Headers[IdempotencyKeys.ReplayedHeader] = "true";
            await allowance.ReleaseAsync(ObjectKeys.Source(tenant, jobId));
            return TypedResults.Accepted(ApiRoutes.Job(jobId), links.ToResponse(existing));
        }

        var key = ObjectKeys.Source(tenant, jobId);
        var parts = await uploads.ListPartsAsync(key, request.UploadId!, context.RequestAborted);
        if (parts is null)
        {
            // Joined by an earlier request whose job was then refused (too many in flight): submit it now.
            if (!await store.ExistsAsync(key, context.RequestAborted))
            {
                return NotFound(jobId);
            }
        }
        else if (!TryCheckParts(parts, options.Value, out var partsError))
        {
            return TypedResults.ValidationProblem(JobsApi.Error("parts", partsError!));
        }
        else
        {
            bool joined;
            try
            {
                joined = await uploads.CompleteAsync(key, request.UploadId!, parts, context.RequestAborted);
            }
            catch (UploadRejectedException ex)
            {
                return TypedResults.ValidationProblem(JobsApi.Error("parts", ex.Message));
            }

            // Another request may have completed it a moment ago: then its job is the answer.
            if (!joined)
            {
                return await cluster.GetGrain<ITranscodeJobGrain>(jobId).GetAsync() is { } job && job.Tenant == tenant
                    ? TypedResults.Accepted(ApiRoutes.Job(jobId), links.ToResponse(job))
                    : NotFound(jobId);
            }
        }

        var fileName = Path.GetFileName(request.FileName ?? "");
        var input = new JobInput(JobInputKind.Upload, key, fileName.Length > 0 ? fileName[..Math.Min(fileName.Length, 255)] : null, parts?.Sum(p => p.Size));

        // What only the source can tell (a rung above its height, a clip past its end): checked now it is joined. The
        // file stays; completing again with other outputs submits it.
        if (outputs is { NeedSource: true } && await OutputRequests.CheckSourceAsync(cluster, input, tracks, outputs) is { } refused)
        {
            return TypedResults.ValidationProblem(refused);
        }
        try
        {
            var job = await submitter.SubmitAsync(jobId, new JobSpec(tenant, input, request.Priority ?? JobSpec.DefaultPriority, request.MaxAttempts, webhooks.Value.CallbackUrlFor(tenant, request.CallbackUrl),
                JobNames.For(request.Name, request.FileName), tracks, outputs));
            await allowance.ReleaseAsync(key);
            var response = links.ToResponse(job);
            feed.Created(tenant, response);
            return TypedResults.Accepted(ApiRoutes.Job(jobId), response);
        }
        catch (JobsInFlightCapException ex)
        {
            // The joined file stays, still counted as an open upload: completing again once a job has ended
            // submits it; left alone, the sweeper removes it with the other abandoned uploads.
            return JobsApi.TooManyJobsInFlight(context, ex);
        }
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AbortUpload(
        string id, string? uploadId, HttpContext context, IMultipartUploads uploads, UploadAllowance allowance)
    {
        if (!TryRead(id, uploadId, out var jobId, out var invalid))
        {
            return invalid;
        }

        var key = ObjectKeys.Source(context.User.Tenant(), jobId);
        if (!await uploads.ExistsAsync(key, uploadId!, context.RequestAborted))
        {
            return NotFound(jobId);
        }

        await uploads.AbortAsync(key, uploadId!, context.RequestAborted);
        await allowance.ReleaseAsync(key);
        return TypedResults.NoContent();
    }

    /// <summary>The configured part size, or larger where the file would otherwise need more than 10,000 parts (whole MiB).</summary>
    internal static long PartSize(long size, long configured)
    {
        const long MiB = 1024 * 1024;
        var needed = (size + MostParts - 1) / MostParts;
        return Math.Max(configured, (needed + MiB - 1) / MiB * MiB);
    }

    /// <summary>Parts numbered 1..n without a gap, every one but the last at least S3's minimum, the whole within the upload limit.</summary>
    internal static bool TryCheckParts(IReadOnlyList<UploadedPart> parts, ApiOptions limits, out string? error)
    {
        error = null;
        if (parts.Count == 0)
        {
            error = "No part has been uploaded.";
        }
        else if (parts.Select((p, i) => p.PartNumber != i + 1).Any(gap => gap))
        {
            var missing = Enumerable.Range(1, parts[^1].PartNumber).Except(parts.Select(p => p.PartNumber)).First();
            error = $"Part {missing} has not been uploaded.";
        }
        else if (parts.SkipLast(1).FirstOrDefault(p => p.Size < SmallestPart) is { } small)
        {
            error = $"Part {small.PartNumber} has {small.Size} bytes; every part but the last needs at least {SmallestPart}.";
        }
        else if (parts.Sum(p => p.Size) > limits.MaxUploadBytes)
        {
            error = $"The parts add up to more than {limits.MaxUploadBytes} bytes.";
        }

        return error is null;
    }

    private static async Task<(CompleteUploadRequest? Request, TrackOptions? Tracks, OutputOptions? Outputs, Dictionary<string, string[]>? Errors)> ReadCompleteRequestAsync(
        HttpRequest request, string tenant, ApiOptions options, WebhookOptions webhooks, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, null, null, JobsApi.Error("body", "Send application/json."));
        }

        var (body, invalid) = await JsonBodies.ReadAsync<CompleteUploadRequest>(request, options.MaxJsonBytes, "completion", cancellationToken);
        if (body is null)
        {
            return (null, null, null, invalid);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(body.UploadId))
        {
            errors["uploadId"] = ["The bucket's uploadId from the create call is required."];
        }

        JobValidation.CheckJobSettings(body, webhooks, errors);
        var tracks = TrackRequests.Check(body.Audio, body.Captions, [], options.DefaultLoudnessFor(tenant), errors, out _);
        var outputs = OutputRequests.Check(body.Outputs, options.DefaultOutputsFor(tenant), errors);
        return errors.Count > 0 ? (null, null, null, errors) : (body, tracks, outputs, null);
    }

    private static bool TryRead(string id, string? uploadId, out Guid jobId, out ValidationProblem invalid)
    {
        if (!JobsApi.TryParseId(id, out jobId, out invalid))
        {
            return false;
        }

        if (string.IsNullOrEmpty(uploadId) || uploadId.Length > 1024)
        {
            invalid = TypedResults.ValidationProblem(JobsApi.Error("uploadId", "The bucket's uploadId from the create call is required."));
            return false;
        }

        return true;
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Upload not found", detail: $"There is no upload {id} in progress.");
}
