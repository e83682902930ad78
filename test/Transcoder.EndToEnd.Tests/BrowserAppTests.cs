using System.Text.Json.Nodes;
using Transcoder.Testing;
using Xunit.Abstractions;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// The web app at / in a real browser: Debian's Chromium, headless, driven by playwright-core
/// (test/browser/app-flow.mjs, whose steps are listed at its top). Screenshots go to the test results folder.
/// </summary>
[Collection(TestOriginPort.Collection)]
public sealed class BrowserAppTests(ITestOutputHelper output) : IDisposable
{
    private readonly ApiClient _api = new($"browser-{Guid.NewGuid():N}"[..20]);
    private readonly string _folder = TestStack.NewScratchFolder("browser");

    [Fact]
    public async Task UploadWatchLiveAndPlay_FailedJobShowsWhy_RunningJobCancels_DeadLetterRetries()
    {
        var clip = await TestClips.VideoAsync(_folder, 1280, 720, 6);
        var longClip = await TestClips.VideoAsync(_folder, 640, 360, 60, rate: 24);
        var broken = Path.Combine(_folder, "notes.mp4");
        await File.WriteAllTextAsync(broken, "This is a text file with a video's name.");
        var screenshots = Path.Combine(TestStack.DataFolder, "results", "browser");

        // The source of a job that runs out of its one attempt: down for the first fetch, up for the retry.
        var fetches = 0;
        using var origin = TestOrigin.Start(TestStack.OriginPort, async context =>
        {
            if (Interlocked.Increment(ref fetches) == 1)
            {
                context.Response.StatusCode = 503;
                return;
            }

            await using var file = File.OpenRead(clip);
            await file.CopyToAsync(context.Response.OutputStream);
        });

        var (exitCode, stdout, stderr) = await BrowserScripts.RunAsync(Path.Combine(TestStack.RepositoryRoot, "test", "browser", "app-flow.mjs"), new Dictionary<string, string>
        {
            ["API_URL"] = TestStack.ApiUrl,
            ["TOKEN"] = _api.Token,
            ["CLIP"] = clip,
            ["LONG_CLIP"] = longClip,
            ["BROKEN_FILE"] = broken,
            ["DEAD_LETTER_URL"] = origin.Url("clip.mp4"),
            ["SCREENSHOTS"] = screenshots,
        });
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        var report = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!.AsObject();
        Assert.True(exitCode == 0 && report["ok"]!.GetValue<bool>(), $"{report["error"]}\n{stderr}");
        Assert.True(File.Exists(Path.Combine(screenshots, "2-player-hls.png")));
    }

    [Fact]
    public async Task MultiLanguageTitle_PlayerSwitchesAudioAndShowsCaptions_WithHlsAndDash()
    {
        var clip = await TrackClips.MultiTrackAsync(_folder);
        using var form = new MultipartFormDataContent
        {
            { new StreamContent(File.OpenRead(clip)), "file", "tracks.mkv" },
            { new StringContent("1\n00:00:03,000 --> 00:00:04,000\nHola\n"), "captions", "tracks.es.srt" },
        };
        using var response = await _api.Http.PostAsync("/v1/jobs", form);
        var id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        Assert.Equal("completed", (await _api.WaitForEndAsync(id))["status"]!.GetValue<string>());

        var (exitCode, stdout, stderr) = await BrowserScripts.RunAsync(Path.Combine(TestStack.RepositoryRoot, "test", "browser", "tracks.mjs"), new Dictionary<string, string>
        {
            ["API_URL"] = TestStack.ApiUrl,
            ["TOKEN"] = _api.Token,
            ["JOB_ID"] = id,
            ["SCREENSHOTS"] = Path.Combine(TestStack.DataFolder, "results", "browser"),
        });
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        var report = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!.AsObject();
        Assert.True(exitCode == 0 && report["ok"]!.GetValue<bool>(), $"{report["error"]}\n{stderr}");
    }

    public void Dispose() => _api.Dispose();
}
