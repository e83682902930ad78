using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>Tenancy and bad input at the HTTP edge: always a 4xx with a ProblemDetails body, never a 5xx.</summary>
public sealed class ApiContractTests : IDisposable
{
    private readonly ApiClient _owner = new($"owner-{Guid.NewGuid():N}"[..20]);
    private readonly ApiClient _stranger = new($"other-{Guid.NewGuid():N}"[..20]);
    private readonly string _folder = TestStack.NewScratchFolder("contract");

    [Fact]
    public async Task OtherTenantsJob_IsIndistinguishableFromAMissingOne()
    {
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 2);
        var id = (await _owner.UploadAsync(clip))["id"]!.GetValue<string>();
        var missing = Guid.NewGuid().ToString();

        using var foreignGet = await _stranger.Http.GetAsync($"/v1/jobs/{id}");
        using var missingGet = await _stranger.Http.GetAsync($"/v1/jobs/{missing}");
        using var foreignDelete = await _stranger.Http.DeleteAsync($"/v1/jobs/{id}");
        using var foreignRetry = await _stranger.Http.PostAsync($"/v1/jobs/{id}/retry", null);
        using var foreignWebhooks = await _stranger.Http.GetAsync($"/v1/jobs/{id}/webhooks");
        var list = await _stranger.Http.GetFromJsonAsync<JsonObject>("/v1/jobs?limit=100");

        Assert.Equal(HttpStatusCode.NotFound, foreignGet.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missingGet.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignDelete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignRetry.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignWebhooks.StatusCode);
        Assert.Equal((await ApiClient.ReadProblemAsync(missingGet))["title"]!.ToString(), (await ApiClient.ReadProblemAsync(foreignGet))["title"]!.ToString());
        Assert.DoesNotContain(list!["items"]!.AsArray(), j => j!["id"]!.GetValue<string>() == id);

        await using var hub = new HubConnectionBuilder()
            .WithUrl($"{TestStack.ApiUrl}/hubs/jobs", o => o.AccessTokenProvider = () => Task.FromResult<string?>(_stranger.Token))
            .Build();
        await hub.StartAsync();
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("Watch", id));

        var owned = await _owner.WaitForEndAsync(id);
        Assert.Equal("completed", owned["status"]!.GetValue<string>());
        var mine = await _owner.Http.GetFromJsonAsync<JsonObject>("/v1/jobs?status=completed");
        Assert.Contains(mine!["items"]!.AsArray(), j => j!["id"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task CreateJob_EmptyUploadOrWrongPart_Is400()
    {
        var empty = Path.Combine(_folder, "empty.mp4");
        await File.WriteAllBytesAsync(empty, []);
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 1);

        using var emptyResponse = await _owner.PostFileAsync(empty);
        using var wrongPart = await _owner.PostFileAsync(clip, fileField: "video");
        using var badPriority = await _owner.PostFileAsync(clip, priority: 42);

        Assert.Equal(HttpStatusCode.BadRequest, emptyResponse.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongPart.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badPriority.StatusCode);
        await ApiClient.ReadProblemAsync(emptyResponse);
    }

    [Fact]
    public async Task Cancel_RunningJob_EndsCanceledAndRemovesOutputs()
    {
        var clip = await TestClips.VideoAsync(_folder, 1280, 720, 30);
        var id = (await _owner.UploadAsync(clip))["id"]!.GetValue<string>();

        using var response = await _owner.Http.DeleteAsync($"/v1/jobs/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var job = await _owner.WaitForEndAsync(id);
        using var again = await _owner.Http.DeleteAsync($"/v1/jobs/{id}");

        Assert.Equal("canceled", job["status"]!.GetValue<string>());
        Assert.Null(job["hlsUrl"]);
        Assert.Empty(await Leftovers.ObjectsAsync(_owner.Tenant, id));
        Assert.Empty(Leftovers.ScratchFolders(id));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    /// <summary>
    /// Every route of the OpenAPI document, with malformed ids, queries and bodies, as a tenant and as an
    /// operator: a 4xx (or a success where the input happens to be acceptable), never a 5xx.
    /// </summary>
    [Fact]
    public async Task EveryRoute_MalformedInput_IsNeverA5xx()
    {
        using var admin = new ApiClient($"admin-{Guid.NewGuid():N}"[..20], admin: true);
        var document = await _owner.Http.GetFromJsonAsync<JsonObject>("/openapi/v1.json");
        string[] ids = ["not-a-uuid", "%00", new string('9', 5000), Guid.Empty.ToString(), Guid.NewGuid().ToString(), "..%2F..%2Fetc"];
        string[] queries = ["", "?limit=-1&after=%ZZ&status=%00", "?limit=99999999999999999999&tenant=&status=queued&status=failed", "?after=" + new string('a', 3000)];
        (string Type, string Body)[] bodies =
        [
            ("application/json", ""), ("application/json", "{"), ("application/json", "null"), ("application/json", "\"text\""),
            ("application/json", "{\"inputUrl\":123,\"priority\":{\"a\":[]}}"), ("application/json", new string('[', 5000)),
            ("text/plain", "hello"), ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"),
            ("multipart/form-data", "no boundary"), ("application/x-www-form-urlencoded", "priority=%ZZ"),
        ];

        var failures = new List<string>();
        var routes = 0;
        foreach (var (template, operations) in document!["paths"]!.AsObject())
        {
            foreach (var (method, _) in operations!.AsObject())
            {
                routes++;
                foreach (var id in template.Contains("{id}", StringComparison.Ordinal) ? ids : [""])
                {
                    foreach (var query in queries)
                    {
                        foreach (var (type, body) in method is "post" or "put" or "patch" ? bodies : [("", "")])
                        {
                            foreach (var client in new[] { _owner, admin })
                            {
                                var status = await SendAsync(client, method, template.Replace("{id}", id, StringComparison.Ordinal) + query, type, body);
                                if (status >= 500)
                                {
                                    failures.Add($"{method} {template}{query[..Math.Min(query.Length, 40)]} id={id[..Math.Min(id.Length, 20)]} {type} {body[..Math.Min(body.Length, 20)]}: {status}");
                                }
                            }
                        }
                    }
                }
            }
        }

        Assert.True(routes >= 7, $"only {routes} operations in the document");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static async Task<int> SendAsync(ApiClient client, string method, string path, string contentType, string body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path);
        if (contentType.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        // A request the API never answers is as much a failure as a 5xx: report it as 504.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            using var response = await client.Http.SendAsync(request, timeout.Token);
            return (int)response.StatusCode;
        }
        catch (TaskCanceledException) when (timeout.IsCancellationRequested)
        {
            return (int)HttpStatusCode.GatewayTimeout;
        }
    }

    public void Dispose()
    {
        _owner.Dispose();
        _stranger.Dispose();
        Directory.Delete(_folder, true);
    }
}
