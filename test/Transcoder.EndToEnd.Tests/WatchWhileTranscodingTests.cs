using System.Globalization;
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

        var job = await Eventually.ValueAsync(() => _api.GetJobAsync(id),
            j => j["playableAt"] is not null || j["status"]!.GetValue<string>() is not ("queued" or "processing"),
            TimeSpan.FromMinutes(3), "the job never became playable", TimeSpan.FromMilliseconds(200));

        Assert.Equal("processing", job["status"]!.GetValue<string>());
        using var http = new HttpClient();
        var master = await http.GetStringAsync(job["hlsUrl"]!.GetValue<string>());
        Assert.Equal(4, master.Split('\n').Count(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && l.Contains("RESOLUTION=", StringComparison.Ordinal)));
        var lines = master.Split('\n');
        var lowest = new Uri(new Uri(job["hlsUrl"]!.GetValue<string>()), lines[Array.FindLastIndex(lines, l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && l.Contains("RESOLUTION=", StringComparison.Ordinal)) + 1]);
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

        // Finished: the title is VOD, and what the viewer was given while it encoded is still there, unchanged.
        var final = await http.GetStringAsync(lowest);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD\n", final, StringComparison.Ordinal);
        Assert.EndsWith("#EXT-X-ENDLIST\n", final, StringComparison.Ordinal);
        Assert.Equal(InitOf(early), InitOf(final));
        Assert.Equal(SegmentsOf(early), SegmentsOf(final).Take(SegmentsOf(early).Count));
    }

    /// <summary>
    /// A viewer reloading a media playlist as fast as it can while the job finishes: every version it gets is whole (an
    /// EVENT playlist still growing, or the finished VOD one), never cut off, and the list of segments only grows.
    /// </summary>
    [Fact]
    public async Task PlaylistFetchedWhileTheJobFinishes_IsNeverTorn()
    {
        var clip = await TestClips.VideoAsync(_folder, 1280, 720, 12);
        var id = (await _api.UploadAsync(clip))["id"]!.GetValue<string>();
        var playable = await Eventually.ValueAsync(() => _api.GetJobAsync(id), j => j["playableAt"] is not null || j["status"]!.GetValue<string>() is "completed" or "failed",
            TimeSpan.FromMinutes(3), "the job never became playable");
        Assert.Equal("processing", playable["status"]!.GetValue<string>());
        using var http = new HttpClient();
        var master = await http.GetStringAsync(playable["hlsUrl"]!.GetValue<string>());
        var top = new Uri(new Uri(playable["hlsUrl"]!.GetValue<string>()), master.Split('\n').First(l => l.EndsWith(".m3u8", StringComparison.Ordinal)));

        var versions = new List<string>();
        var done = _api.WaitForEndAsync(id);
        while (!done.IsCompleted || versions.Count == 0 || !versions[^1].Contains("#EXT-X-ENDLIST", StringComparison.Ordinal))
        {
            versions.Add(await http.GetStringAsync(top));
        }

        Assert.Equal("completed", (await done)["status"]!.GetValue<string>());
        Assert.True(versions.Count > 10, $"only {versions.Count} reloads");
        IReadOnlyList<string> seen = [];
        foreach (var version in versions)
        {
            Assert.StartsWith("#EXTM3U\n", version, StringComparison.Ordinal);
            Assert.EndsWith("\n", version, StringComparison.Ordinal);
            var vod = version.Contains("#EXT-X-PLAYLIST-TYPE:VOD\n", StringComparison.Ordinal);
            Assert.True(vod || version.Contains("#EXT-X-PLAYLIST-TYPE:EVENT\n", StringComparison.Ordinal), version);
            Assert.Equal(vod, version.EndsWith("#EXT-X-ENDLIST\n", StringComparison.Ordinal));
            var lines = version.Split('\n');
            Assert.Equal(lines.Count(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal)), lines.Count(l => l.EndsWith(".m4s", StringComparison.Ordinal)));
            var segments = SegmentsOf(version);
            Assert.Equal(seen, segments.Take(seen.Count));
            seen = segments;
        }

        Assert.Contains(versions, v => v.Contains("#EXT-X-PLAYLIST-TYPE:EVENT", StringComparison.Ordinal));
    }

    /// <summary>A media playlist's segments, each as its EXTINF line and URI.</summary>
    private static List<string> SegmentsOf(string playlist)
    {
        var lines = playlist.Split('\n');
        return [.. lines.Select((line, i) => (line, i)).Where(p => p.line.StartsWith("#EXTINF:", StringComparison.Ordinal)).Select(p => p.line + " " + lines[p.i + 1])];
    }

    private static string? InitOf(string playlist) => playlist.Split('\n').FirstOrDefault(l => l.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal));

    public void Dispose()
    {
        _api.Dispose();
        Directory.Delete(_folder, true);
    }
}
