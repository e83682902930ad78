using System.Globalization;
using System.Text.Json.Nodes;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>A viewer presses play while the job still encodes, and plays it through to the end.</summary>
public sealed class WatchWhileTranscodingTests : IDisposable
{
    private readonly ApiClient _api = new($"live-{Guid.NewGuid():N}"[..20]);
    private readonly string _folder = TestStack.NewScratchFolder("live");

    [Fact]
    public async Task PlayerStartedBeforeCompletion_PlaysEveryFrameToTheEnd()
    {
        // 1080p encodes slower than real time on a small machine, so playback starts well before the end.
        var clip = await TestClips.VideoAsync(_folder, 1920, 1080, 20);
        var id = (await _api.UploadAsync(clip))["id"]!.GetValue<string>();

        JsonObject job;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the job never became playable");
            await Task.Delay(200, CancellationToken.None);
            job = await _api.GetJobAsync(id);
        }
        while (job["playableAt"] is null && job["status"]!.GetValue<string>() is "queued" or "processing");

        Assert.Equal("processing", job["status"]!.GetValue<string>());
        using var http = new HttpClient();
        var master = await http.GetStringAsync(job["hlsUrl"]!.GetValue<string>());
        Assert.Equal(4, master.Split('\n').Count(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)));
        var lowest = new Uri(new Uri(job["hlsUrl"]!.GetValue<string>()), master.Split('\n').Last(l => l.EndsWith(".m3u8", StringComparison.Ordinal)));
        var early = await http.GetStringAsync(lowest);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT", early, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXT-X-ENDLIST", early, StringComparison.Ordinal);

        // ffmpeg as the player: it follows the EVENT playlist from its first segment, reloading until ENDLIST.
        var recording = Path.Combine(_folder, "watched.mp4");
        await TestClips.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-live_start_index", "0", "-i", lowest.ToString(), "-map", "0:v:0", "-c", "copy", "-y", recording]);
        var completed = await _api.WaitForEndAsync(id);

        Assert.Equal("completed", completed["status"]!.GetValue<string>());
        Assert.True(completed["playableAt"]!.GetValue<DateTimeOffset>() < completed["completedAt"]!.GetValue<DateTimeOffset>());
        var frames = await TestClips.RunAsync("ffprobe", ["-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", recording]);
        Assert.Equal(600, int.Parse(frames.Trim(), CultureInfo.InvariantCulture));
        Assert.Contains("#EXT-X-ENDLIST", await http.GetStringAsync(lowest), StringComparison.Ordinal);
        Assert.StartsWith(early, await http.GetStringAsync(lowest), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _api.Dispose();
        Directory.Delete(_folder, true);
    }
}
