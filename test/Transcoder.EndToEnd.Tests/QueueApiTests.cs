using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>Idempotent submits, per-job attempts, the dead-letter queue and the queue depth, over HTTP.</summary>
[Collection(TestOriginPort.Collection)]
public sealed class QueueApiTests : IDisposable
{
    private readonly ApiClient _owner = new($"queue-{Guid.NewGuid():N}"[..20]);
    private readonly ApiClient _stranger = new($"other-{Guid.NewGuid():N}"[..20]);
    private readonly ApiClient _operator = new($"ops-{Guid.NewGuid():N}"[..20], admin: true);
    private readonly string _folder = TestStack.NewScratchFolder("queue");

    [Fact]
    public async Task IdempotencyKey_SameKeySameTenant_ReturnsTheSameJob()
    {
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 1);
        var key = Guid.NewGuid().ToString();

        using var first = await PostFileWithKeyAsync(_owner, clip, key);
        using var again = await PostFileWithKeyAsync(_owner, clip, key);
        using var strangers = await PostFileWithKeyAsync(_stranger, clip, key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var id = await IdAsync(first);
        Assert.Equal(id, await IdAsync(again));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.NotEqual(id, await IdAsync(strangers));
        Assert.Equal("completed", (await _owner.WaitForEndAsync(id))["status"]!.GetValue<string>());
    }

    /// <summary>
    /// Two uploads race under one key: the first has stored its file and is still sending its fields when the second
    /// stores its own and is refused for a bad field. The refusal removes only its own file: the first request's
    /// job gets its file and completes, and the refused racer's file is not left in the bucket.
    /// </summary>
    [Fact]
    public async Task IdempotencyKey_ConcurrentUploads_ARefusalDeletesOnlyItsOwnFile()
    {
        var clip = await File.ReadAllBytesAsync(await TestClips.VideoAsync(_folder, 320, 240, 2));
        var key = Guid.NewGuid().ToString();
        var id = Transcoder.Api.Apis.IdempotencyKeys.JobId(_owner.Tenant, key).ToString();
        var gate = new TaskCompletionSource();

        var first = SendWithKeyAsync(new GatedForm(clip, gate.Task, ("priority", "3")), key);
        await Eventually.TrueAsync(async () => (await Leftovers.ObjectsAsync(_owner.Tenant, id)).Any(k => k.Contains("/source/", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the first upload's file was not stored");
        using var refused = await SendWithKeyAsync(new GatedForm(clip, Task.CompletedTask, ("priority", "99")), key);
        gate.SetResult();
        using var accepted = await first;

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True((await ApiClient.ReadProblemAsync(refused))["errors"]!.AsObject().ContainsKey("priority"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(id, await IdAsync(accepted));
        var job = await _owner.WaitForEndAsync(id);
        Assert.True(job["status"]!.GetValue<string>() == "completed", job.ToJsonString());
        // The job keeps its own source; the refused racer's is gone.
        Assert.Single(await Leftovers.ObjectsAsync(_owner.Tenant, id), k => k.Contains("/source/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IdempotencyKey_SameKeyOtherRequest_Is409_BadKeyIs400()
    {
        var key = Guid.NewGuid().ToString();
        var url = $"{TestStack.S3Url}/{TestStack.Bucket}/missing-{Guid.NewGuid():N}.mp4";

        using var first = await PostJsonWithKeyAsync(new { inputUrl = url, priority = 3 }, key);
        using var same = await PostJsonWithKeyAsync(new { inputUrl = url, priority = 3 }, key);
        using var other = await PostJsonWithKeyAsync(new { inputUrl = url, priority = 4 }, key);
        using var blank = await PostJsonWithKeyAsync(new { inputUrl = url }, " ");
        using var tooLong = await PostJsonWithKeyAsync(new { inputUrl = url }, new string('k', 256));

        Assert.Equal(await IdAsync(first), await IdAsync(same));
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        await ApiClient.ReadProblemAsync(other);
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await ApiClient.ReadProblemAsync(tooLong))["errors"]!.AsObject().ContainsKey("Idempotency-Key"));
    }

    /// <summary>
    /// An origin that answers 503 until told otherwise: the job uses its two attempts, lands in the dead-letter
    /// queue with its error, is listed there for its tenant and operators only, and completes once retried.
    /// </summary>
    [Fact]
    public async Task DeadLetter_IsListedWithItsError_AndRetryRunsItAgain()
    {
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 1);
        var healthy = false;
        using var origin = TestOrigin.Start(TestStack.OriginPort, async context =>
        {
            if (!Volatile.Read(ref healthy))
            {
                context.Response.StatusCode = 503;
                return;
            }

            await using var file = File.OpenRead(clip);
            await file.CopyToAsync(context.Response.OutputStream);
        });
        using var created = await _owner.Http.PostAsJsonAsync("/v1/jobs", new { inputUrl = origin.Url("clip.mp4"), maxAttempts = 2 });
        var id = await IdAsync(created);

        var dead = await _owner.WaitForEndAsync(id);
        Assert.Equal(("failed", 2, 2), (dead["status"]!.GetValue<string>(), dead["attempts"]!.GetValue<int>(), dead["maxAttempts"]!.GetValue<int>()));
        Assert.NotNull(dead["deadLetteredAt"]);
        Assert.Equal("download_failed", dead["error"]!["code"]!.GetValue<string>());

        Assert.Contains(await DeadLetterIdsAsync(_owner, "/v1/dead-letters"), i => i == id);
        Assert.Contains(await DeadLetterIdsAsync(_operator, $"/v1/dead-letters?tenant={_owner.Tenant}"), i => i == id);
        Assert.DoesNotContain(await DeadLetterIdsAsync(_stranger, "/v1/dead-letters"), i => i == id);
        using var peek = await _stranger.Http.GetAsync($"/v1/dead-letters?tenant={_owner.Tenant}");
        Assert.Equal(HttpStatusCode.Forbidden, peek.StatusCode);
        using var foreignRetry = await _stranger.Http.PostAsync($"/v1/jobs/{id}/retry", null);
        Assert.Equal(HttpStatusCode.NotFound, foreignRetry.StatusCode);

        Volatile.Write(ref healthy, true);
        using var retry = await _owner.Http.PostAsync($"/v1/jobs/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var done = await _owner.WaitForEndAsync(id);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Null(done["deadLetteredAt"]);
        Assert.DoesNotContain(await DeadLetterIdsAsync(_owner, "/v1/dead-letters"), i => i == id);

        using var twice = await _owner.Http.PostAsync($"/v1/jobs/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        await ApiClient.ReadProblemAsync(twice);
    }

    [Fact]
    public async Task Queue_ReportsEveryPriority_ForTheCallerOrTheCluster()
    {
        var mine = await _owner.Http.GetFromJsonAsync<JsonObject>("/v1/queue");
        var cluster = await _operator.Http.GetFromJsonAsync<JsonObject>("/v1/queue");
        using var peek = await _stranger.Http.GetAsync($"/v1/queue?tenant={_owner.Tenant}");

        Assert.Equal("tenant", mine!["scope"]!.GetValue<string>());
        Assert.Equal("cluster", cluster!["scope"]!.GetValue<string>());
        Assert.Equal(10, mine["byPriority"]!.AsObject().Count);
        Assert.Equal(mine["byPriority"]!.AsObject().Sum(p => p.Value!.GetValue<long>()), mine["queued"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Forbidden, peek.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostFileWithKeyAsync(ApiClient client, string path, string key)
    {
        using var form = new MultipartFormDataContent { { new StreamContent(File.OpenRead(path)), "file", Path.GetFileName(path) } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = form };
        request.Headers.Add("Idempotency-Key", key);
        return await client.Http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> SendWithKeyAsync(HttpContent content, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = content };
        request.Headers.Add("Idempotency-Key", key);
        return await _owner.Http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> PostJsonWithKeyAsync(object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return await _owner.Http.SendAsync(request);
    }

    private static async Task<string> IdAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

    private static async Task<List<string>> DeadLetterIdsAsync(ApiClient client, string path) =>
        [.. (await client.Http.GetFromJsonAsync<JsonObject>(path))!["items"]!.AsArray().Select(j => j!["id"]!.GetValue<string>())];

    public void Dispose()
    {
        _owner.Dispose();
        _stranger.Dispose();
        _operator.Dispose();
        Directory.Delete(_folder, true);
    }
}
