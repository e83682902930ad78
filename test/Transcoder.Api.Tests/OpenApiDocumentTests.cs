using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Transcoder.Api.Tests;

/// <summary>The OpenAPI document clients are generated from.</summary>
public sealed class OpenApiDocumentTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Document_NamesEveryJobRoute()
    {
        var operations = (await DocumentAsync())["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => o.Value!["operationId"]?.GetValue<string>())).ToList();

        Assert.Contains("CreateJob", operations);
        Assert.Contains("GetJob", operations);
        Assert.Contains("ListJobs", operations);
        Assert.Contains("CancelJob", operations);
        Assert.Contains("RetryJob", operations);
        Assert.Contains("GetQueue", operations);
        Assert.Contains("ListDeadLetters", operations);
        Assert.Contains("CreateUpload", operations);
        Assert.Contains("GetWebhookSecret", operations);
    }

    /// <summary>Every operation of the OpenAPI document is named, described, and says what its success returns.</summary>
    [Fact]
    public async Task Document_EveryOperationIsNamedDescribedAndTyped()
    {
        var gaps = new List<string>();
        foreach (var (path, operations) in (await DocumentAsync())["paths"]!.AsObject())
        {
            foreach (var (method, node) in operations!.AsObject())
            {
                var operation = node!.AsObject();
                var name = $"{method} {path}";
                foreach (var field in new[] { "operationId", "summary", "description" })
                {
                    if (string.IsNullOrWhiteSpace(operation[field]?.GetValue<string>()))
                    {
                        gaps.Add($"{name}: no {field}");
                    }
                }

                var successes = operation["responses"]?.AsObject().Where(r => r.Key.StartsWith('2')).ToList() ?? [];
                // 204 No Content is the one success that has no body to type.
                if (successes.Count == 0 || successes.Any(r => r.Key != "204" && r.Value?["content"]?.AsObject().Any(c => c.Value?["schema"] is not null) != true))
                {
                    gaps.Add($"{name}: a success response without a typed body");
                }
            }
        }

        Assert.True(gaps.Count == 0, string.Join('\n', gaps));
    }

    /// <summary>
    /// What a generated client and a reader need: every operation requires the declared bearer scheme and lists its
    /// 4xx answers as ProblemDetails; tags are described; the info names a contact and a license; no server URL
    /// ends in a slash (a generator would join it to "/v1/..." as "//v1/...").
    /// </summary>
    [Fact]
    public async Task Document_DeclaresTheBearerScheme_AndEveryOperationsProblems()
    {
        var document = await DocumentAsync();
        var scheme = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.Equal("JWT", scheme["bearerFormat"]!.GetValue<string>());

        var gaps = new List<string>();
        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in operations!.AsObject())
            {
                var name = $"{method} {path}";
                if (operation!["security"]?.AsArray().Any(r => r!.AsObject().ContainsKey("Bearer")) != true)
                {
                    gaps.Add($"{name}: does not require the Bearer scheme");
                }

                var responses = operation["responses"]!.AsObject();
                var problems = responses.Where(r => r.Key.StartsWith('4')).ToList();
                if (!responses.ContainsKey("401"))
                {
                    gaps.Add($"{name}: no 401");
                }

                gaps.AddRange(problems
                    .Where(r => r.Value!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>() is not { } schema || !schema.EndsWith("ProblemDetails", StringComparison.Ordinal))
                    .Select(r => $"{name}: {r.Key} without a ProblemDetails body"));
                if (path.Contains("{id}", StringComparison.Ordinal) && !responses.ContainsKey("404"))
                {
                    gaps.Add($"{name}: an id in the path but no 404");
                }
            }
        }

        Assert.True(gaps.Count == 0, string.Join('\n', gaps));
        Assert.All(document["tags"]!.AsArray(), t => Assert.False(string.IsNullOrWhiteSpace(t!["description"]?.GetValue<string>()), $"tag {t!["name"]} has no description"));
        Assert.NotNull(document["info"]!["license"]!["name"]);
        Assert.NotNull(document["info"]!["contact"]!["name"]);
        Assert.All(document["servers"]!.AsArray(), s => Assert.False(s!["url"]!.GetValue<string>().EndsWith('/'), $"server {s["url"]} ends in a slash"));
    }

    [Fact]
    public async Task Document_DescribesTheUploadForm()
    {
        var form = (await DocumentAsync())["paths"]!["/v1/jobs"]!["post"]!["requestBody"]!["content"]!["multipart/form-data"]!["schema"]!;

        Assert.Equal("binary", form["properties"]!["file"]!["format"]!.GetValue<string>());
        Assert.Contains("file", form["required"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    /// <summary>A rendition in the job document carries its kind, codec string, language, bandwidth and size.</summary>
    [Fact]
    public async Task Document_DescribesTypedRenditions()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!.AsObject();
        var rendition = schemas["Rendition"]!["properties"]!.AsObject();

        foreach (var field in new[] { "kind", "name", "codecs", "language", "width", "height", "bandwidth", "averageBandwidth", "sizeBytes", "playlistUrl", "psnr", "ssim" })
        {
            Assert.True(rendition.ContainsKey(field), $"the Rendition schema has no '{field}'");
        }
    }

    /// <summary>The reference page reads the live document and offers the Bearer scheme, so a reader can paste a token and try calls.</summary>
    [Fact]
    public async Task ReferencePage_OffersTheBearerScheme()
    {
        using var client = factory.CreateClient();

        var page = await client.GetStringAsync("/docs/");

        Assert.Contains("\"url\":\"openapi/v1.json\"", page, StringComparison.Ordinal);
        Assert.Contains("\"preferredSecurityScheme\":[\"Bearer\"]", page, StringComparison.Ordinal);
    }

    private async Task<JsonObject> DocumentAsync()
    {
        using var client = factory.CreateClient();
        return (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
    }
}
