using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// Webhooks: an ended job is POSTed to its callback URL, signed, and retried until the receiver takes it; a
/// callback URL on a private address is refused without a connection. The stack trusts one loopback port as a
/// receiver (TestStack.WebhookPort) and retries a second apart (see infra/local/test.sh).
/// </summary>
[Collection(WebhookPort.Collection)]
public sealed class WebhookTests : IDisposable
{
    private readonly ApiClient _api = new($"hooks-{Guid.NewGuid():N}"[..20]);
    private readonly string _folder = TestStack.NewScratchFolder("webhooks");
    private readonly ConcurrentQueue<(Dictionary<string, string> Headers, byte[] Body)> _received = new();

    [Fact]
    public async Task EndedJob_IsPostedSigned_AndRetriedUntilTheReceiverTakesIt()
    {
        // The receiver is down for the first delivery, then takes it.
        using var receiver = TestOrigin.Start(TestStack.WebhookPort, async context =>
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Enqueue((context.Request.Headers.AllKeys.ToDictionary(k => k!.ToLowerInvariant(), k => context.Request.Headers[k]!), body.ToArray()));
            context.Response.StatusCode = _received.Count == 1 ? 503 : 204;
            context.Response.Close();
        });
        var secret = (await _api.Http.GetFromJsonAsync<JsonObject>("/v1/webhooks/secret"))!["secret"]!.GetValue<string>();
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 2);

        using var submitted = await _api.PostFileAsync(clip, callbackUrl: receiver.Url("hooks/transcoder"));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal("completed", (await _api.WaitForEndAsync(id))["status"]!.GetValue<string>());
        var deliveries = await WaitForWebhooksAsync(id, w => w["deliveredAt"] is not null);

        Assert.Equal(2, _received.Count);
        var (first, retry) = (_received.ElementAt(0), _received.ElementAt(1));
        Assert.Equal(first.Headers["webhook-id"], retry.Headers["webhook-id"]);
        var timestamp = long.Parse(retry.Headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp, -5, 300);
        Assert.Equal(StandardWebhooksSignature(secret, retry.Headers["webhook-id"], timestamp, retry.Body), retry.Headers["webhook-signature"]);
        Assert.NotEqual(StandardWebhooksSignature(secret, retry.Headers["webhook-id"], timestamp, [.. retry.Body, (byte)' ']), retry.Headers["webhook-signature"]);

        var message = JsonNode.Parse(retry.Body)!;
        Assert.Equal("job.completed", message["type"]!.GetValue<string>());
        Assert.Equal(id, message["data"]!["id"]!.GetValue<string>());
        Assert.Equal("completed", message["data"]!["status"]!.GetValue<string>());
        Assert.NotNull(message["data"]!["hlsUrl"]);

        var delivery = Assert.Single(deliveries);
        Assert.Equal(2, delivery!["attempts"]!.GetValue<int>());
        Assert.Equal(204, delivery["lastStatus"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data/", "169.254.169.254")]
    [InlineData("https://localhost:{port}/hooks", "localhost")]
    public async Task CallbackOnAPrivateAddress_IsRefusedWithoutConnecting(string callbackUrl, string host)
    {
        // Listening where "localhost" leads, on the port the stack trusts only as 127.0.0.1: nothing may arrive.
        using var receiver = TestOrigin.Start(TestStack.WebhookPort, context =>
        {
            _received.Enqueue(([], []));
            context.Response.Close();
            return Task.CompletedTask;
        });
        var broken = Path.Combine(_folder, "notes.mp4");
        await File.WriteAllTextAsync(broken, "Not a video: the job fails at once, and its end is what the webhook reports.");

        using var submitted = await _api.PostFileAsync(broken, callbackUrl: callbackUrl.Replace("{port}", TestStack.WebhookPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal("failed", (await _api.WaitForEndAsync(id))["status"]!.GetValue<string>());
        var delivery = Assert.Single(await WaitForWebhooksAsync(id, w => w["abandonedAt"] is not null));

        Assert.Equal(1, delivery!["attempts"]!.GetValue<int>());
        Assert.Contains($"'{host}' resolves to", delivery["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("not a public address", delivery["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("job.failed", delivery["event"]!.GetValue<string>());
        Assert.Empty(_received);
    }

    [Fact]
    public async Task TenantsOwnCallbackUrl_ServesJobsThatNameNone()
    {
        using var api = new ApiClient("test-tenant-webhook");
        var paths = new ConcurrentQueue<string>();
        using var receiver = TestOrigin.Start(TestStack.WebhookPort, context =>
        {
            paths.Enqueue(context.Request.Url!.AbsolutePath);
            context.Response.StatusCode = 204;
            context.Response.Close();
            return Task.CompletedTask;
        });
        var broken = Path.Combine(_folder, "notes.mp4");
        await File.WriteAllTextAsync(broken, "Not a video: the job fails at once.");

        using var submitted = await api.PostFileAsync(broken);
        var job = (await submitted.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = job["id"]!.GetValue<string>();
        Assert.Equal(receiver.Url("tenant-hooks"), job["callbackUrl"]!.GetValue<string>());
        Assert.Equal("failed", (await api.WaitForEndAsync(id))["status"]!.GetValue<string>());

        await Eventually.TrueAsync(() => !paths.IsEmpty, TimeSpan.FromSeconds(30), "the tenant's callback URL got no webhook");

        Assert.Equal("/tenant-hooks", Assert.Single(paths));
    }

    public void Dispose() => _api.Dispose();

    /// <summary>
    /// The signature as the Standard Webhooks specification defines it, written here from the specification
    /// rather than taken from the service: "v1," + base64(HMAC-SHA256(base64-decoded secret after "whsec_",
    /// "{msg_id}.{timestamp}.{body}")).
    /// </summary>
    private static string StandardWebhooksSignature(string secret, string messageId, long timestamp, byte[] body)
    {
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var signed = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.").Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret["whsec_".Length..]), signed));
    }

    private Task<JsonArray> WaitForWebhooksAsync(string jobId, Func<JsonNode, bool> done) =>
        Eventually.ValueAsync(async () => (await _api.Http.GetFromJsonAsync<JsonObject>($"/v1/jobs/{jobId}/webhooks"))!["items"]!.AsArray(),
            items => items.Count > 0 && items.All(i => done(i!)), TimeSpan.FromSeconds(60), $"the webhooks of {jobId} were not done", TimeSpan.FromMilliseconds(250));
}
