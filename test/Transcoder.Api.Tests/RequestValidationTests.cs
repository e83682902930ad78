using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Transcoder.Testing;

namespace Transcoder.Api.Tests;

/// <summary>Bad input and bad tokens at the HTTP edge: always a 4xx with a ProblemDetails body, before anything is stored.</summary>
public sealed class RequestValidationTests(ApiFactory factory) : IClassFixture<ApiFactory>, IDisposable
{
    private readonly HttpClient _client = factory.ClientFor($"tenant-{Guid.NewGuid():N}"[..20]);

    [Theory]
    [InlineData("""{"inputUrl":"ftp://example.com/a.mp4"}""", "inputUrl")]
    [InlineData("""{"inputUrl":"file:///etc/passwd"}""", "inputUrl")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","priority":11}""", "priority")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","priority":0}""", "priority")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","maxAttempts":0}""", "maxAttempts")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","maxAttempts":11}""", "maxAttempts")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","callbackUrl":"ftp://example.com/hook"}""", "callbackUrl")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","callbackUrl":"/relative/hook"}""", "callbackUrl")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","callbackUrl":"https://user:secret@example.com/hook"}""", "callbackUrl")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","callbackUrl":"http://hooks.example.com/hook"}""", "callbackUrl")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","name":"   "}""", "name")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","name":"tab\there"}""", "name")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","colour":"blue"}""", "body")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","priority":"high"}""", "body")]
    [InlineData("""{"priority":5}""", "inputUrl")]
    [InlineData("""{not json""", "body")]
    [InlineData("""[]""", "body")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"codecs":["h264","vp9"]}}""", "outputs.codecs[1]")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"maxHeight":100}}""", "outputs.maxHeight")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"renditions":[{"height":720},{"height":721}]}}""", "outputs.renditions[1].height")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"renditions":[{"height":720,"maxBitrateKbps":5}]}}""", "outputs.renditions[0].maxBitrateKbps")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"maxHeight":480,"renditions":[{"height":720}]}}""", "outputs.renditions[0].height")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"renditions":[{"height":144},{"height":180},{"height":240},{"height":360},{"height":480},{"height":540},{"height":720},{"height":1080},{"height":1440}]}}""", "outputs.renditions")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"renditions":[{"height":720,"fps":30}]}}""", "body")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"downloads":["mov"]}}""", "outputs.downloads[0].format")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"downloads":[{"format":"m4a","height":720}]}}""", "outputs.downloads[0].height")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"clip":{"startSeconds":5,"endSeconds":5.2}}}""", "outputs.clip.endSeconds")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"clip":{"startSeconds":-1,"endSeconds":5}}}""", "outputs.clip.startSeconds")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"clip":{"startSeconds":1,"endSeconds":5},"thumbnails":{"times":[1,4.5]}}}""", "outputs.thumbnails.times[1]")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"clip":{"startSeconds":1,"endSeconds":5},"posterSeconds":4}}""", "outputs.posterSeconds")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"thumbnails":{"times":[]}}}""", "outputs.thumbnails.times")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"thumbnails":{"times":[1],"format":"gif"}}}""", "outputs.thumbnails.format")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"thumbnails":{"times":[1],"width":8}}}""", "outputs.thumbnails.width")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","outputs":{"posterSeconds":-2}}""", "outputs.posterSeconds")]
    public async Task CreateJob_InvalidJson_Is400WithTheFieldNamed(string body, string field)
    {
        using var response = await _client.PostAsync("/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
    }

    [Fact]
    public async Task CreateJob_NameLongerThan200_Is400()
    {
        var body = $$"""{"inputUrl":"https://example.com/a.mp4","name":"{{new string('n', 201)}}"}""";

        using var response = await _client.PostAsync("/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await ProblemAsync(response))["errors"]!.AsObject().ContainsKey("name"));
    }

    [Fact]
    public async Task ListJobs_SearchLongerThan200_Is400()
    {
        using var response = await _client.GetAsync($"/v1/jobs?q={new string('q', 201)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await ProblemAsync(response))["errors"]!.AsObject().ContainsKey("q"));
    }

    [Fact]
    public async Task CreateJob_OversizedJson_Is413()
    {
        var body = $$"""{"inputUrl":"https://example.com/{{new string('a', 100_000)}}"}""";

        using var response = await _client.PostAsync("/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await ProblemAsync(response);
    }

    [Fact]
    public async Task CreateJob_PlainText_Is415()
    {
        using var response = await _client.PostAsync("/v1/jobs", new StringContent("hello", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await ProblemAsync(response);
    }

    [Theory]
    [InlineData("GET", "/v1/jobs/not-a-uuid")]
    [InlineData("GET", "/v1/jobs/12345")]
    [InlineData("GET", "/v1/jobs?status=done")]
    [InlineData("GET", "/v1/jobs?limit=0")]
    [InlineData("GET", "/v1/jobs?limit=abc")]
    [InlineData("GET", "/v1/jobs?after=garbage")]
    [InlineData("GET", "/v1/dead-letters?limit=0")]
    [InlineData("GET", "/v1/dead-letters?after=garbage")]
    [InlineData("POST", "/v1/jobs/not-a-uuid/retry")]
    [InlineData("DELETE", "/v1/jobs/not-a-uuid")]
    [InlineData("GET", "/v1/jobs/not-a-uuid/webhooks")]
    public async Task Reads_MalformedInput_Is400Problem(string method, string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ProblemAsync(response);
    }

    [Fact]
    public async Task Queue_OfAnotherTenant_IsForbiddenToTenants()
    {
        using var response = await _client.GetAsync("/v1/queue?tenant=someone-else");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await ProblemAsync(response);
    }

    [Fact]
    public async Task Requests_WithoutOrWithBadToken_Are401()
    {
        using var anonymous = factory.CreateClient();
        using var none = await anonymous.GetAsync("/v1/jobs");
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.For("x", key: Convert.ToBase64String(new byte[32])));
        using var forged = await anonymous.GetAsync("/v1/jobs");
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.For("x", lifetime: TimeSpan.FromMinutes(-10), key: ApiFactory.SigningKey));
        using var expired = await anonymous.GetAsync("/v1/jobs");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task Dashboard_AnswersAdminsOnly()
    {
        using var admin = factory.ClientFor("ops", admin: true);

        using var refused = await _client.GetAsync("/dashboard/");
        using var allowed = await admin.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, allowed.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, allowed.StatusCode);
    }

    /// <summary>
    /// Redis (the request budget) is not reachable here: requests are let through at once rather than each waiting out
    /// Redis' own timeout (5 s) first.
    /// </summary>
    [Fact]
    public async Task Request_WhileTheBudgetStoreIsDown_IsLetThroughWithoutWaitingForIt()
    {
        for (var i = 0; i < 3; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var response = await _client.GetAsync("/v1/jobs?limit=0");

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the request took {clock.Elapsed}");
        }
    }

    public void Dispose() => _client.Dispose();

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize<JsonObject>(await response.Content.ReadAsStringAsync())!;
    }
}
