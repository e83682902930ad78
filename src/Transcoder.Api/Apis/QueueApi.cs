using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Api.Auth;
using Transcoder.Api.Contracts;
using Transcoder.Storage;

namespace Transcoder.Api.Apis;

/// <summary>
/// The queue as clients and operators see it: how many jobs wait, and the dead-letter queue. A tenant sees its
/// own jobs; an operator (admin role) sees every tenant's, or one tenant's with <c>?tenant=</c>.
/// </summary>
public static class QueueApi
{
    public static RouteGroupBuilder MapQueueApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("").WithTags("Queue");

        api.MapGet("/queue", GetQueue)
            .WithName("GetQueue")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Queue depth")
            .WithDescription("Queued jobs in total and per priority: the caller's own, or every tenant's for operators.");

        api.MapGet("/dead-letters", ListDeadLetters)
            .WithName("ListDeadLetters")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("List the dead-letter queue")
            .WithDescription("Jobs that ran out of attempts, most recent first, with their last error and ffmpeg's stderr tail. Page with limit and the 'next' cursor passed as 'after'; operators see every tenant's, or one tenant's with 'tenant'.");

        return api;
    }

    public static async Task<Results<Ok<QueueResponse>, ProblemHttpResult>> GetQueue(
        HttpContext context, IWorkQueue queue, string? tenant = null)
    {
        if (!TryScope(context, tenant, out var scope, out var invalid))
        {
            return invalid;
        }

        var counts = await queue.CountWaitingAsync(scope, context.RequestAborted);
        var byPriority = Enumerable.Range(JobSpec.HighestPriority, JobSpec.LowestPriority)
            .ToDictionary(p => p.ToString(CultureInfo.InvariantCulture), p => counts.GetValueOrDefault(p), StringComparer.Ordinal);
        return TypedResults.Ok(new QueueResponse(byPriority.Values.Sum(), byPriority, scope is null ? "cluster" : "tenant"));
    }

    public static async Task<Results<Ok<JobListResponse>, ValidationProblem, ProblemHttpResult>> ListDeadLetters(
        HttpContext context, IJobRecordRepository records, JobLinks links, IOptions<ApiOptions> options,
        string? tenant = null, string? limit = null, string? after = null)
    {
        if (!TryScope(context, tenant, out var scope, out var invalid))
        {
            return invalid;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var (pageSize, cursor) = PageQuery.Read(limit, after, options.Value.MaxPageSize, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await records.ListDeadLettersAsync(scope, pageSize, cursor, context.RequestAborted);
        return TypedResults.Ok(new JobListResponse([.. page.Jobs.Select(links.ToResponse)], page.NextCursor));
    }

    /// <summary>Whose jobs to read: the caller's tenant, or for operators every tenant (null) or the one asked for.</summary>
    private static bool TryScope(HttpContext context, string? tenant, out string? scope, out ProblemHttpResult invalid)
    {
        invalid = null!;
        if (context.User.IsAdmin())
        {
            scope = tenant;
            return true;
        }

        scope = context.User.Tenant();
        if (tenant is null || tenant == scope)
        {
            return true;
        }

        invalid = TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Only operators may read another tenant's jobs.");
        return false;
    }
}
