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

    private async Task<JsonObject> DocumentAsync()
    {
        using var client = factory.CreateClient();
        return (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
    }
}
