using Microsoft.AspNetCore.Http.Features;
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

public static class JobsApi
{
    // A job takes seconds to minutes: asking again much sooner than this only spends the rate limit.
    private const string JobsInFlightRetryAfterSeconds = "30";

    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/jobs").WithTags("Jobs");

        api.MapPost("/", CreateJob)
            .WithName("CreateJob")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Submit a video")
            .WithDescription("JSON {inputUrl, priority, maxAttempts, callbackUrl, name, audio, captions} to have the service fetch a URL, or multipart/form-data with a 'file' part (and optional 'priority', 'maxAttempts', 'callbackUrl', 'name', 'options' as JSON {audio, captions}, and 'captions' file parts named NAME.LANG.srt or NAME.LANG.vtt) to upload; for large files see /v1/uploads. Returns 202 with the job. A callbackUrl gets the job POSTed to it, signed, when the job ends.")
            .Accepts<CreateJobRequest>("application/json", "multipart/form-data")
            .DisableAntiforgery();

        api.MapGet("/{id}", GetJob)
            .WithName("GetJob")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get a job")
            .WithDescription("The job's status, progress, renditions and URLs. Another tenant's job is 404.");

        api.MapGet("/", ListJobs)
            .WithName("ListJobs")
            .WithSummary("List jobs")
            .WithDescription("The caller's jobs, newest first. Filter by status and by a part of the name (q, any case); page with limit and the 'next' cursor passed as 'after'.");

        api.MapDelete("/{id}", CancelJob)
            .WithName("CancelJob")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Cancel a job")
            .WithDescription("Stops the job's ffmpeg run and removes partial outputs; the job ends 'canceled'.");

        api.MapPost("/{id}/retry", RetryJob)
            .WithName("RetryJob")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Retry a dead-lettered job")
            .WithDescription("Requeues a job that ran out of attempts, with a fresh set of attempts. 409 if the job is not in the dead-letter queue. Operators may retry any tenant's job.");

        return api;
    }

    public static async Task<Results<Accepted<JobResponse>, ValidationProblem, ProblemHttpResult>> CreateJob(
        HttpContext context, IClusterClient cluster, JobSubmitter submitter, IObjectStore store, JobLinks links, IOptions<ApiOptions> options,
        IOptions<WebhookOptions> webhooks, UploadAllowance allowance, TenantFeed feed)
    {
        var request = context.Request;
        var tenant = context.User.Tenant();
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // Kestrel enforces this even when the client sends no Content-Length.
            limit.MaxRequestBodySize = request.HasFormContentType ? options.Value.MaxUploadBytes + (1 << 20) : options.Value.MaxJsonBytes;
        }

        var started = DateTimeOffset.UtcNow;
        Guid id;
        if (request.Headers.TryGetValue(IdempotencyKeys.Header, out var keys))
        {
            string? keyError = null;
            if (keys.Count != 1 || !JobValidation.TryValidateIdempotencyKey(keys.ToString(), out keyError))
            {
                return TypedResults.ValidationProblem(Error(IdempotencyKeys.Header, keyError ?? "Send one Idempotency-Key."));
            }

            id = IdempotencyKeys.JobId(tenant, keys.ToString());
            if (request.HasFormContentType && await cluster.GetGrain<ITranscodeJobGrain>(id).GetAsync() is { } existing)
            {
                // A retried upload whose job exists: the file is not read or stored again.
                context.Response.Headers[IdempotencyKeys.ReplayedHeader] = "true";
                return TypedResults.Accepted(ApiRoutes.Job(id), links.ToResponse(existing));
            }
        }
        else
        {
            id = Guid.CreateVersion7();
        }

        if (request.HasFormContentType)
        {
            using var slot = allowance.TryTakeStreamedSlot();
            return slot is null
                ? UploadAllowance.Busy(context)
                : await CreateFromUploadAsync(context, id, tenant, started, submitter, store, cluster, links, options.Value, webhooks.Value, allowance, feed);
        }

        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type", detail: "Send application/json with an inputUrl, or multipart/form-data with a file part.");
        }

        var (spec, errors) = await ReadJsonAsync(request, tenant, options.Value, webhooks.Value, context.RequestAborted);
        if (spec is null)
        {
            return TypedResults.ValidationProblem(errors!);
        }

        // The same Idempotency-Key with the same request returns the job it made; with another request, 409.
        JobView job;
        try
        {
            job = await submitter.SubmitAsync(id, spec);
        }
        catch (JobsInFlightCapException ex)
        {
            return TooManyJobsInFlight(context, ex);
        }

        return Accepted(context, job, started, links, feed);
    }

    /// <summary>
    /// A form upload: the file is recorded against the tenant's upload caps, streamed to an object of this request's
    /// own, and its job submitted. The record goes once a job owns the file or the file is deleted; if neither is
    /// known (the submission's answer was lost), it stays, and the sweeper deletes the file unless a job has it.
    /// </summary>
    private static async Task<Results<Accepted<JobResponse>, ValidationProblem, ProblemHttpResult>> CreateFromUploadAsync(
        HttpContext context, Guid id, string tenant, DateTimeOffset started, JobSubmitter submitter, IObjectStore store, IClusterClient cluster, JobLinks links,
        ApiOptions options, WebhookOptions webhooks, UploadAllowance allowance, TenantFeed feed)
    {
        var key = ObjectKeys.StreamedSource(tenant, id, Guid.CreateVersion7());
        var declared = context.Request.ContentLength ?? options.MaxUploadBytes;
        if (await allowance.ReserveAsync(tenant, id, key, Math.Min(declared, options.MaxUploadBytes), context.RequestAborted) is { } refused)
        {
            return refused;
        }

        var settled = false;
        try
        {
            JobSpec? spec;
            Dictionary<string, string[]>? errors;
            try
            {
                (spec, errors) = await ReadUploadAsync(context, key, tenant, store, cluster, options, webhooks);
            }
            catch
            {
                // A body that broke off or ran over: the form reader removed what it had stored.
                settled = true;
                throw;
            }

            if (spec is null)
            {
                // The form was refused, and its file (if stored) removed.
                settled = true;
                return TypedResults.ValidationProblem(errors!);
            }

            JobView job;
            try
            {
                job = await submitter.SubmitAsync(id, spec);
            }
            catch (Exception ex) when (ex is JobsInFlightCapException or JobConflictException)
            {
                // No job took this request's file.
                await SubmissionFiles.DeleteAsync(store, key, spec.Tracks);
                settled = true;
                if (ex is JobsInFlightCapException cap)
                {
                    return TooManyJobsInFlight(context, cap);
                }

                throw;
            }

            if (job.Spec.Input.Location != key)
            {
                // A concurrent request with the same Idempotency-Key made the job with its own file.
                await SubmissionFiles.DeleteAsync(store, key, spec.Tracks);
            }

            settled = true;
            return Accepted(context, job, started, links, feed);
        }
        finally
        {
            if (settled)
            {
                await allowance.ReleaseAsync(key);
            }
        }
    }

    /// <summary>The 202 for a job: a replay says so; a new job is also announced to its tenant's open pages.</summary>
    private static Accepted<JobResponse> Accepted(HttpContext context, JobView job, DateTimeOffset started, JobLinks links, TenantFeed feed)
    {
        var response = links.ToResponse(job);
        if (job.CreatedAt < started)
        {
            context.Response.Headers[IdempotencyKeys.ReplayedHeader] = "true";
        }
        else
        {
            feed.Created(job.Tenant, response);
        }

        return TypedResults.Accepted(ApiRoutes.Job(job.Id), response);
    }

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult, ValidationProblem>> GetJob(
        string id, HttpContext context, IClusterClient cluster, JobLinks links)
    {
        if (!TryParseId(id, out var jobId, out var invalid))
        {
            return invalid;
        }

        var (_, job) = await FindAsync(cluster, jobId, context, operatorsToo: false);
        return job is not null ? TypedResults.Ok(links.ToResponse(job)) : NotFoundProblem(jobId);
    }

    public static async Task<Results<Ok<JobListResponse>, ValidationProblem>> ListJobs(
        HttpContext context, IJobRecordRepository records, JobLinks links, IOptions<ApiOptions> options,
        string? status = null, string? limit = null, string? after = null, string? q = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (q is { Length: > JobSpec.MaxNameLength })
        {
            errors["q"] = [$"Must be at most {JobSpec.MaxNameLength} characters."];
        }

        q = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        JobStatus? filter = null;
        if (status is not null)
        {
            if (JobStatusExtensions.TryParseWire(status, out var parsed))
            {
                filter = parsed;
            }
            else
            {
                errors["status"] = ["Must be one of queued, processing, completed, failed, canceled."];
            }
        }

        var (pageSize, cursor) = PageQuery.Read(limit, after, options.Value.MaxPageSize, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await records.ListAsync(context.User.Tenant(), filter, q, pageSize, cursor, context.RequestAborted);
        return TypedResults.Ok(new JobListResponse([.. page.Jobs.Select(links.ToResponse)], page.NextCursor));
    }

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult, ValidationProblem>> CancelJob(
        string id, HttpContext context, IClusterClient cluster, JobLinks links)
    {
        if (!TryParseId(id, out var jobId, out var invalid))
        {
            return invalid;
        }

        var (grain, job) = await FindAsync(cluster, jobId, context, operatorsToo: false);
        if (job is null)
        {
            return NotFoundProblem(jobId);
        }

        if (job.Status is JobStatus.Completed or JobStatus.Failed)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The job already ended",
                detail: $"Job {jobId} is {job.Status.ToWire()}; only queued or processing jobs can be canceled.");
        }

        var canceled = await grain.CancelAsync();
        return TypedResults.Ok(links.ToResponse(canceled!));
    }

    public static async Task<Results<Accepted<JobResponse>, ProblemHttpResult, ValidationProblem>> RetryJob(
        string id, HttpContext context, IClusterClient cluster, JobLinks links)
    {
        if (!TryParseId(id, out var jobId, out var invalid))
        {
            return invalid;
        }

        var (grain, job) = await FindAsync(cluster, jobId, context, operatorsToo: true);
        if (job is null)
        {
            return NotFoundProblem(jobId);
        }

        if (job.DeadLetteredAt is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The job is not a dead letter",
                detail: $"Job {jobId} is {job.Status.ToWire()}; only jobs in the dead-letter queue can be retried.");
        }

        var retried = await grain.RetryAsync();
        return TypedResults.Accepted(ApiRoutes.Job(jobId), links.ToResponse(retried!));
    }

    private static async Task<(JobSpec? Spec, Dictionary<string, string[]>? Errors)> ReadJsonAsync(
        HttpRequest request, string tenant, ApiOptions options, WebhookOptions webhooks, CancellationToken cancellationToken)
    {
        var (body, invalid) = await JsonBodies.ReadAsync<CreateJobRequest>(request, options.MaxJsonBytes, "job request", cancellationToken);
        if (body is null)
        {
            return (null, invalid);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!JobValidation.TryValidateUrl(body.InputUrl, out var urlError))
        {
            errors["inputUrl"] = [urlError!];
        }

        var priority = JobValidation.CheckJobSettings(body, webhooks, errors);
        var tracks = TrackRequests.Check(body.Audio, body.Captions, [], options.DefaultLoudnessFor(tenant), errors, out _);
        var outputs = OutputRequests.Check(body.Outputs, options.DefaultOutputsFor(tenant), errors);
        return errors.Count > 0
            ? (null, errors)
            : (new JobSpec(tenant, new JobInput(JobInputKind.Url, body.InputUrl!), priority, body.MaxAttempts, webhooks.CallbackUrlFor(tenant, body.CallbackUrl),
                JobNames.For(body.Name, url: body.InputUrl), tracks, outputs), null);
    }

    private static readonly IReadOnlySet<string> UploadFields = new HashSet<string>(["priority", "maxAttempts", "callbackUrl", "name", OptionsField], StringComparer.Ordinal);

    /// <summary>The multipart field that carries the track and output options as JSON ({"audio": ..., "captions": [...], "outputs": {...}}).</summary>
    private const string OptionsField = "options";

    private static async Task<(JobSpec? Spec, Dictionary<string, string[]>? Errors)> ReadUploadAsync(
        HttpContext context, string key, string tenant, IObjectStore store, IClusterClient cluster, ApiOptions options, WebhookOptions webhooks)
    {
        if (context.Request.ContentLength > options.MaxUploadBytes + (1 << 20))
        {
            throw new BadHttpRequestException($"The upload exceeds {options.MaxUploadBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        // The upload goes to the object store before the job exists, so any silo can fetch it; fields that come
        // after the file are checked once it is stored, and a refusal removes it again.
        var (form, invalid) = await StreamedForm.ReadAsync(context.Request, key, store, options.MaxUploadBytes, UploadFields, context.RequestAborted);
        if (form is null)
        {
            return (null, invalid);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var priorityOk = TryReadNumber(form.Fields, "priority", out var requestedPriority);
        var attemptsOk = TryReadNumber(form.Fields, "maxAttempts", out var maxAttempts);
        var callbackUrl = form.Fields.GetValueOrDefault("callbackUrl");
        var name = form.Fields.GetValueOrDefault("name");
        var priority = JobValidation.CheckJobSettings(requestedPriority, maxAttempts, callbackUrl, name, webhooks, errors);
        if (!priorityOk)
        {
            errors["priority"] = ["Must be a whole number from 1 (most urgent) to 10."];
        }

        if (!attemptsOk)
        {
            errors["maxAttempts"] = [$"Must be a whole number from 1 to {JobSpec.MostAttempts}."];
        }

        var trackRequest = TrackRequests.ReadOptionsField(form.Fields.GetValueOrDefault(OptionsField), OptionsField, errors);
        var tracks = TrackRequests.Check(trackRequest?.Audio, trackRequest?.Captions, form.Captions, options.DefaultLoudnessFor(tenant), errors, out var captionCues);
        var outputs = OutputRequests.Check(trackRequest?.Outputs, options.DefaultOutputsFor(tenant), errors);
        if (errors.Count > 0)
        {
            await store.DeleteAsync(key, CancellationToken.None);
            return (null, errors);
        }

        // What only the source can tell (a rung above its height, a clip past its end): checked now it is stored.
        var input = new JobInput(JobInputKind.Upload, key, null, form.FileBytes);
        if (outputs is { NeedSource: true } && await OutputRequests.CheckSourceAsync(cluster, input, tracks, outputs) is { } refused)
        {
            await store.DeleteAsync(key, CancellationToken.None);
            return (null, refused);
        }

        tracks = await SubmissionFiles.StoreCaptionPartsAsync(tracks, key, captionCues, store, context.RequestAborted);
        var fileName = Path.GetFileName(form.FileName ?? "");
        return (new JobSpec(tenant, new JobInput(JobInputKind.Upload, key, fileName.Length > 0 ? fileName[..Math.Min(fileName.Length, 255)] : null, form.FileBytes),
            priority, maxAttempts, webhooks.CallbackUrlFor(tenant, callbackUrl), JobNames.For(name, fileName), tracks, outputs), null);
    }

    /// <summary>An optional whole-number form field: true with null if absent, false if present but not a number.</summary>
    private static bool TryReadNumber(IReadOnlyDictionary<string, string> fields, string field, out int? value)
    {
        value = null;
        if (!fields.TryGetValue(field, out var text))
        {
            return true;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        value = number;
        return true;
    }

    /// <summary>
    /// The job's grain, and the job if the caller may see it: its own tenant's, or any tenant's for operators
    /// where <paramref name="operatorsToo"/>. A job the caller may not see is null, like a missing one.
    /// </summary>
    private static async Task<(ITranscodeJobGrain Grain, JobView? Job)> FindAsync(IClusterClient cluster, Guid id, HttpContext context, bool operatorsToo)
    {
        var grain = cluster.GetGrain<ITranscodeJobGrain>(id);
        var job = await grain.GetAsync();
        var visible = job is not null && (job.Tenant == context.User.Tenant() || (operatorsToo && context.User.IsAdmin()));
        return (grain, visible ? job : null);
    }

    internal static bool TryParseId(string text, out Guid id, out ValidationProblem invalid)
    {
        invalid = null!;
        if (Guid.TryParseExact(text, "D", out id))
        {
            return true;
        }

        invalid = TypedResults.ValidationProblem(Error("id", "Must be a UUID like 0190a5d4-1c2b-7d3e-9f00-123456789abc."));
        return false;
    }

    /// <summary>429 with Retry-After for a submission refused by the tenant's cap on jobs in flight.</summary>
    internal static ProblemHttpResult TooManyJobsInFlight(HttpContext context, JobsInFlightCapException refusal)
    {
        context.Response.Headers.RetryAfter = JobsInFlightRetryAfterSeconds;
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many jobs in flight", detail: refusal.Message);
    }

    private static ProblemHttpResult NotFoundProblem(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Job not found", detail: $"There is no job {id}.");

    internal static Dictionary<string, string[]> Error(string field, string message) =>
        new(StringComparer.Ordinal) { [field] = [message] };
}
