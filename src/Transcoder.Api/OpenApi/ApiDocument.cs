using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Transcoder.Api.Auth;

namespace Transcoder.Api.OpenApi;

/// <summary>
/// The OpenAPI document as generators and readers need it: the bearer scheme declared and required where the
/// endpoint requires it, every operation's problem responses (ProblemDetails), described tags, an info object
/// with contact and license, and servers without a trailing slash.
/// </summary>
public static class ApiDocument
{
    public const string BearerScheme = "Bearer";

    private const string ProblemSchema = "ProblemDetails";

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Jobs"] = "Submit a video (by URL or upload), follow its progress, list, cancel and retry jobs. A job's outputs are an HLS and a DASH package of a multi-resolution ladder.",
        ["Uploads"] = "Resumable uploads for large files: parts go straight to the bucket over presigned URLs; completing the upload submits its job.",
        ["Webhooks"] = "The signing secret for checking webhooks (Standard Webhooks), and what became of a job's webhooks.",
        ["Queue"] = "Queue depth per priority and the dead-letter queue: the caller's own, or every tenant's for operators.",
    };

    public static IServiceCollection AddTranscoderOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer(DescribeDocumentAsync);
            o.AddOperationTransformer(DescribeOperationAsync);
        });

    private static Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var contact = context.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value.Contact;
        document.Info = new OpenApiInfo
        {
            Title = "Transcoder.Orleans API",
            Version = "v1",
            Summary = "Adaptive-streaming transcoding: submit a video, get HLS and DASH.",
            Description = """
                Submit a video by URL or upload; the service transcodes it into an adaptive ladder (H.264, and HEVC or AV1
                when asked, from one decode) packaged once as HLS and DASH, with downloads and stills when asked, stores
                it, and reports progress over SignalR (`/hubs/jobs`) and webhooks.

                **Authentication.** Every operation takes `Authorization: Bearer <JWT>`: the service's own HS256
                tokens, or tokens of the identity provider it is set up with (RS256/ES256). The token names the tenant;
                a job belongs to its tenant and another tenant's job is 404.

                **Errors** are `application/problem+json` (RFC 9457); a field's errors are under `errors`.
                **Limits**: a request budget per tenant (429 with `Retry-After`), caps on jobs in flight and uploads.
                """,
            Contact = new OpenApiContact
            {
                Name = contact.Name,
                Url = contact.Url is { Length: > 0 } url ? new Uri(url) : null,
                Email = contact.Email,
            },
            License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
        };

        document.Servers = document.Servers?.Select(s => new OpenApiServer { Url = s.Url?.TrimEnd('/'), Description = "This deployment" }).ToList();

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT naming the tenant: HS256 from the service's keys, or RS256/ES256 from its identity provider.",
        };

        foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description))
            {
                tag.Description = description;
            }
        }

        return Task.CompletedTask;
    }

    private static async Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document!;
        if (!document.Components?.Schemas?.ContainsKey(ProblemSchema) ?? true)
        {
            document.AddComponent(ProblemSchema, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken));
        }

        operation.Responses ??= [];
        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
            AddProblem(operation, document, StatusCodes.Status401Unauthorized, "No token, or one that is not valid (expired, wrong issuer or audience, unknown key).");
            if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy == TenantClaims.AdminPolicy))
            {
                AddProblem(operation, document, StatusCodes.Status403Forbidden, "The token is not an operator's.");
            }

            AddProblem(operation, document, StatusCodes.Status429TooManyRequests, "The tenant's request budget is spent; try again after Retry-After seconds.");
        }

        AddProblem(operation, document, StatusCodes.Status503ServiceUnavailable, "A part of the service (the cluster, Postgres, the bucket) is unreachable; try again after Retry-After seconds.");

        // Handlers take parameters as text, to answer a malformed one with a 400 ProblemDetails naming it rather than
        // a bare 400 or a routing 404; the document says what they accept, which is what a client should send.
        var maxPageSize = context.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxPageSize;
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            (parameter.Schema, parameter.Description) = parameter.Name switch
            {
                "id" => (new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" }, "The job's (or upload's) id."),
                "partNumber" => (new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "10000" }, "The part's number, from 1."),
                "limit" => (new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = maxPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "Items per page. Default 20."),
                "after" => (parameter.Schema, "The 'next' value of the previous page."),
                "status" => (new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = [.. new[] { "queued", "processing", "completed", "failed", "canceled" }.Select(v => (System.Text.Json.Nodes.JsonNode)v)],
                }, "Only jobs with this status."),
                "q" => (new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = Abstractions.JobSpec.MaxNameLength }, "Only jobs whose name contains this text (any case)."),
                "uploadId" => (parameter.Schema, "The bucket's upload id, from POST /v1/uploads."),
                "tenant" => (parameter.Schema, "Operators only: another tenant's (without it, an operator sees every tenant's)."),
                _ => (parameter.Schema, parameter.Description),
            };
        }

        if (operation.OperationId == "CreateJob" && operation.RequestBody?.Content?.TryGetValue("multipart/form-data", out var form) == true)
        {
            form.Schema = UploadForm();
        }
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiDocument document, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
            },
        };
    }

    /// <summary>The multipart form of an upload to POST /v1/jobs: the file and the job's settings as fields.</summary>
    private static OpenApiSchema UploadForm() => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string>(["file"]),
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The video." },
            ["priority"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "10", Description = "1 (most urgent) to 10. Default 5." },
            ["maxAttempts"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "10", Description = "Runs before the job is dead-lettered. Default 3." },
            ["callbackUrl"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Description = "An https URL the ended job is POSTed to, signed." },
            ["name"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = Abstractions.JobSpec.MaxNameLength, Description = "What to call the video. Default: the file's name." },
            ["options"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The job's track and output options as a JSON object {audio, captions, outputs}, as in a JSON body, e.g. {\"audio\":{\"languages\":[\"en\"],\"loudness\":{\"targetLufs\":-16}},\"outputs\":{\"codecs\":[\"hevc\",\"av1\"],\"maxHeight\":1080,\"downloads\":[\"mp4\"]}}. Unknown fields are refused.",
            },
            ["captions"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                MaxItems = Abstractions.TrackOptions.MaxTextTracks,
                Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                Description = "Caption or subtitle files, each named NAME.LANG.srt or NAME.LANG.vtt (LANG a BCP 47 tag; NAME.LANG.forced.srt for forced subtitles), UTF-8 or with a charset in the part's Content-Type, at most 2 MiB each.",
            },
        },
    };
}
