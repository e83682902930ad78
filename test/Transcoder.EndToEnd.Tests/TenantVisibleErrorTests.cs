using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// What a tenant is shown of a failed job (the job, the list, the webhook and its delivery record) says what is
/// wrong with the input and nothing about the silo: no scratch paths, host name, addresses or build.
/// </summary>
[Collection(WebhookPort.Collection)]
public sealed class TenantVisibleErrorTests : IDisposable
{
    private readonly ApiClient _api = new($"leaks-{Guid.NewGuid():N}"[..20]);
    private readonly string _folder = TestStack.NewScratchFolder("leaks");

    [Fact]
    public async Task CorruptInput_FailsWithADiagnosisThatNamesNoSiloPathOrHost()
    {
        var webhooks = new ConcurrentQueue<string>();
        using var receiver = TestOrigin.Start(TestStack.WebhookPort, async context =>
        {
            using var reader = new StreamReader(context.Request.InputStream);
            webhooks.Enqueue(await reader.ReadToEndAsync());
            context.Response.StatusCode = 204;
            context.Response.Close();
        });
        var whole = await File.ReadAllBytesAsync(await TestClips.VideoAsync(_folder, 320, 240, 2));
        var corrupt = Path.Combine(_folder, "holiday.mp4");
        await File.WriteAllBytesAsync(corrupt, whole[..(whole.Length / 3)]);

        using var submitted = await _api.PostFileAsync(corrupt, callbackUrl: receiver.Url("hooks"));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var job = await _api.WaitForEndAsync(id);
        await Eventually.TrueAsync(() => !webhooks.IsEmpty, TimeSpan.FromSeconds(30), "no webhook arrived");

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("input_unreadable", job["error"]!["code"]!.GetValue<string>());
        // The diagnosis is still there, naming the input by its name rather than its path on the silo.
        Assert.Contains("moov atom not found", job["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var shown = new StringBuilder()
            .AppendLine(job.ToJsonString())
            .AppendLine(await _api.Http.GetStringAsync("/v1/jobs?limit=100"))
            .AppendLine(await _api.Http.GetStringAsync($"/v1/jobs/{id}/webhooks"))
            .AppendLine(string.Join('\n', webhooks))
            .ToString();
        Assert.Contains(id, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(TestStack.DataFolder, shown, StringComparison.Ordinal);
        Assert.DoesNotContain("scratch/", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("/tmp/", shown, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex($@"(?<![\w-]){Regex.Escape(Environment.MachineName)}(?![\w-])", RegexOptions.IgnoreCase), shown);
        Assert.DoesNotMatch(new Regex("0x[0-9a-f]{6,}"), shown);
        Assert.DoesNotContain("configuration:", shown, StringComparison.Ordinal);
    }

    public void Dispose() => _api.Dispose();
}
