using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Transcoder.Api.Auth;
using Transcoder.Storage;
using Transcoder.Contracts.Webhooks;

namespace Transcoder.Api.Apis;

/// <summary>The tenant's webhook signing secret, and what became of a job's webhooks.</summary>
public static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("").WithTags("Webhooks");

        api.MapGet("/webhooks/secret", GetSecret)
            .WithName("GetWebhookSecret")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get the webhook signing secret")
            .WithDescription("The caller's secret (whsec_…) for checking webhook-signature headers as the Standard Webhooks libraries do: "
                + "HMAC-SHA256 over \"{webhook-id}.{webhook-timestamp}.{body}\". 404 if webhooks are not configured.");

        api.MapGet("/jobs/{id}/webhooks", ListJobWebhooks)
            .WithName("ListJobWebhooks")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("List a job's webhooks")
            .WithDescription("Each webhook the job's end queued, with its attempts, next attempt, and the last answer or error.");

        return api;
    }

    public static Results<Ok<WebhookSecretResponse>, ProblemHttpResult> GetSecret(HttpContext context, IOptions<WebhookOptions> webhooks) =>
        webhooks.Value.Enabled
            ? TypedResults.Ok(new WebhookSecretResponse(WebhookSignatures.TenantSecret(webhooks.Value.SigningKey!, context.User.Tenant())))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhooks are not configured", detail: "This service sends no webhooks.");

    public static async Task<Results<Ok<WebhookListResponse>, ProblemHttpResult, ValidationProblem>> ListJobWebhooks(
        string id, HttpContext context, IJobRecordRepository records, IWebhookOutbox outbox)
    {
        if (!JobsApi.TryParseId(id, out var jobId, out var invalid))
        {
            return invalid;
        }

        // The row, not the grain: reading a list should not wake a job up.
        if (await records.FindAsync(jobId, context.RequestAborted) is not { } job || job.Tenant != context.User.Tenant())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Job not found", detail: $"There is no job {jobId}.");
        }

        return TypedResults.Ok(new WebhookListResponse(await outbox.ListForJobAsync(jobId, context.RequestAborted)));
    }
}

/// <summary>The caller's webhook signing secret.</summary>
public sealed record WebhookSecretResponse(string Secret);

/// <summary>A job's webhooks, oldest first.</summary>
public sealed record WebhookListResponse(IReadOnlyList<WebhookDeliveryStatus> Items);
