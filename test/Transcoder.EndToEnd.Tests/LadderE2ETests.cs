using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>Whole path on the real stack: HTTP upload, Orleans, ffmpeg, S3, Postgres, SignalR.</summary>
public sealed class LadderE2ETests : IDisposable
{
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";
    private readonly ApiClient _api = new($"e2e-{Guid.NewGuid():N}"[..20]);
    private readonly HttpClient _cdn = new();
    private readonly string _folder = TestStack.NewScratchFolder("e2e");

    public record ProgressMessage(Guid JobId, string Status, double Percent, string Stage, DateTimeOffset At);

    [Fact]
    public async Task Upload1080pClip_CompletesWithAlignedHlsAndDashLadder()
    {
        var clip = await TestClips.VideoAsync(_folder, 1920, 1080, 10);
        var messages = new ConcurrentQueue<ProgressMessage>();
        var ended = new TaskCompletionSource<ProgressMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = new HubConnectionBuilder()
            .WithUrl($"{TestStack.ApiUrl}/hubs/jobs", o => o.AccessTokenProvider = () => Task.FromResult<string?>(_api.Token))
            .Build();
        hub.On<ProgressMessage>("progress", m =>
        {
            messages.Enqueue(m);
            if (m.Status is "completed" or "failed" or "canceled")
            {
                ended.TrySetResult(m);
            }
        });
        await hub.StartAsync();

        var submitted = await _api.UploadAsync(clip, priority: 3);
        var id = submitted["id"]!.GetValue<string>();
        await hub.InvokeAsync("Watch", id);
        var last = await ended.Task.WaitAsync(TimeSpan.FromMinutes(5));

        // The hub: a snapshot first, percentages that never go back, and the terminal status last.
        Assert.Equal("completed", last.Status);
        var seen = messages.ToList();
        Assert.True(seen.Count >= 3, $"only {seen.Count} progress messages");
        Assert.All(seen.Zip(seen.Skip(1)), pair => Assert.True(pair.Second.Percent >= pair.First.Percent, $"{pair.First.Percent} then {pair.Second.Percent}"));
        Assert.Contains(seen, m => m.Stage == "encoding" && m.Percent is > 3 and < 90);

        var job = await _api.GetJobAsync(id);
        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal(100, job["progress"]!.GetValue<double>());
        Assert.Equal(3, job["priority"]!.GetValue<int>());
        Assert.Null(job["error"]);
        Assert.True(job["cost"]!["cpuSeconds"]!.GetValue<double>() > 1, job["cost"]!.ToJsonString());
        Assert.True(job["cost"]!["dollars"]!.GetValue<decimal>() > 0);
        Assert.Equal(10.0 * 4 / 60, job["cost"]!["outputMinutes"]!.GetValue<double>(), 1);
        var all = job["renditions"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var renditions = all.Where(r => r["kind"]!.GetValue<string>() == "video").ToList();
        var audio = Assert.Single(all, r => r["kind"]!.GetValue<string>() == "audio");
        Assert.Equal(["1080p", "720p", "480p", "360p"], renditions.Select(r => r["name"]!.GetValue<string>()));
        Assert.All(renditions, r => Assert.True(r["height"]!.GetValue<int>() <= 1080 && r["width"]!.GetValue<int>() <= 1920));
        Assert.All(renditions, r =>
        {
            Assert.InRange(r["psnr"]!.GetValue<double>(), 30, 100);
            Assert.InRange(r["ssim"]!.GetValue<double>(), 0.9, 1);
            Assert.Matches("^avc1\\.[0-9a-f]{6}$", r["codecs"]!.GetValue<string>());
        });
        Assert.Equal(("mp4a.40.2", 2), (audio["codecs"]!.GetValue<string>(), audio["channels"]!.GetValue<int>()));
        Assert.All(all, r => Assert.True(r["sizeBytes"]!.GetValue<long>() > 0));

        await AssertHlsMasterAsync(job, renditions, audio);
        var boundaries = await AssertMediaPlaylistsAsync(renditions, expectedSeconds: 10);
        Assert.All(boundaries, b => Assert.Equal(boundaries[0], b));
        await AssertMediaPlaylistsAsync([audio], expectedSeconds: 10);
        await AssertDashManifestAsync(job["dashUrl"]!.GetValue<string>(), videoRepresentations: 4);
        await AssertFirstSegmentDecodesAsync(renditions[^1]["playlistUrl"]!.GetValue<string>());
        await AssertRowAsync(id, "completed", renditions: 5);
        Assert.Empty(Leftovers.ScratchFolders(id));

        using var poster = await _cdn.GetAsync(job["posterUrl"]!.GetValue<string>());
        Assert.Equal("image/jpeg", poster.Content.Headers.ContentType?.MediaType);
        var storyboard = await _cdn.GetStringAsync(job["storyboardUrl"]!.GetValue<string>());
        Assert.StartsWith("WEBVTT", storyboard, StringComparison.Ordinal);
        Assert.Equal(10, storyboard.Split('\n').Count(l => l.Contains("-->", StringComparison.Ordinal)));
    }

    /// <summary>
    /// A title longer than the test stack's Chunking:MinSourceSeconds (61 s) is encoded in chunks (4 s, then 16 s) and joined into
    /// one package the checks above accept, each rung holding the source's frames on one timeline (a frame apart
    /// across every join, no discontinuity), and Chromium plays through every join with hls.js and with dash.js.
    /// </summary>
    [Fact]
    public async Task LongTitle_EncodedInChunks_IsOneSeamlessPackage_PlayedAcrossEveryJoin()
    {
        const int seconds = 64;
        var clip = await TestClips.VideoAsync(_folder, 640, 360, seconds);
        var id = (await _api.UploadAsync(clip))["id"]!.GetValue<string>();
        var job = await _api.WaitForEndAsync(id);

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal(5, job["chunks"]!.GetValue<int>()); // 4 s first, then 16 s: joins at 4, 20, 36 and 52 s
        Assert.True(job["silos"]!.GetValue<int>() >= 1);
        var all = job["renditions"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var renditions = all.Where(r => r["kind"]!.GetValue<string>() == "video").ToList();
        var audio = Assert.Single(all, r => r["kind"]!.GetValue<string>() == "audio");
        Assert.All(renditions, r => Assert.InRange(r["psnr"]!.GetValue<double>(), 30, 100));
        await AssertHlsMasterAsync(job, renditions, audio);
        var boundaries = await AssertMediaPlaylistsAsync(renditions, expectedSeconds: seconds);
        Assert.All(boundaries, b => Assert.Equal(boundaries[0], b));
        await AssertMediaPlaylistsAsync([audio], expectedSeconds: seconds);
        await AssertDashManifestAsync(job["dashUrl"]!.GetValue<string>(), videoRepresentations: renditions.Count);
        await AssertFirstSegmentDecodesAsync(renditions[^1]["playlistUrl"]!.GetValue<string>());
        foreach (var rendition in renditions)
        {
            var url = rendition["playlistUrl"]!.GetValue<string>();
            Assert.DoesNotContain("#EXT-X-DISCONTINUITY", await _cdn.GetStringAsync(url), StringComparison.Ordinal);
            var times = (await TestClips.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0", url]))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => double.Parse(t.TrimEnd(','), CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(seconds * 30, times.Count);
            var steps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
            Assert.True(steps.All(d => Math.Abs(d - (1 / 30.0)) < 0.002), $"{rendition["name"]}: frames {steps.Min()} to {steps.Max()} s apart");
        }

        using var poster = await _cdn.GetAsync(job["posterUrl"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, poster.StatusCode);
        Assert.Contains("-->", await _cdn.GetStringAsync(job["storyboardUrl"]!.GetValue<string>()), StringComparison.Ordinal);
        await AssertRowAsync(id, "completed", renditions: all.Count);

        var (exitCode, stdout, stderr) = await BrowserScripts.RunAsync(Path.Combine(TestStack.RepositoryRoot, "test", "browser", "joins.mjs"), new Dictionary<string, string>
        {
            ["API_URL"] = TestStack.ApiUrl,
            ["TOKEN"] = _api.Token,
            ["JOB_ID"] = id,
            ["JOINS"] = "4,20,36,52",
            ["SCREENSHOTS"] = Path.Combine(TestStack.DataFolder, "results", "browser"),
        });
        var report = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!.AsObject();
        Assert.True(exitCode == 0 && report["ok"]!.GetValue<bool>(), $"{report.ToJsonString()}\n{stderr}");
    }

    /// <summary>
    /// Outputs chosen per job, end to end: H.264, HEVC and AV1 rungs of a clip of the source in one package that the
    /// strict checks accept, the MP4 and M4A downloads and WebP stills fetched by their URLs, the job listing what was
    /// asked and what was made; Chromium plays the AV1 and the H.264 variants (with hls.js and dash.js), and its submit
    /// form asks for outputs of its own.
    /// </summary>
    [Fact]
    public async Task OutputsChosenPerJob_ThreeCodecsOfAClip_WithDownloadsAndStills_PlayInChromium()
    {
        var clip = await TestClips.VideoAsync(_folder, 640, 360, 5);
        const string options = """
            {"outputs": {"codecs": ["hevc", "av1"], "renditions": [{"height": 360}, {"height": 180, "maxBitrateKbps": 400}],
             "downloads": ["mp4", {"format": "m4a"}], "clip": {"startSeconds": 1, "endSeconds": 4},
             "thumbnails": {"times": [0.5, 2], "width": 160, "format": "webp"}, "posterSeconds": 1}}
            """;
        var submitted = await _api.UploadAsync(clip, options: options);
        Assert.Equal(["h264", "hevc", "av1"], submitted["outputs"]!["codecs"]!.AsArray().Select(c => c!.GetValue<string>()));
        var id = submitted["id"]!.GetValue<string>();
        var job = await _api.WaitForEndAsync(id);

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal(["h264", "hevc", "av1"], job["codecs"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(3, job["durationSeconds"]!.GetValue<double>(), 0.05);
        Assert.Equal(3.0 * 6 / 60, job["cost"]!["outputMinutes"]!.GetValue<double>(), 2);
        var byCodec = job["cost"]!["byCodec"]!.AsArray().Select(c => c!.AsObject()).ToList();
        Assert.Equal(["h264", "hevc", "av1"], byCodec.Select(c => c["codec"]!.GetValue<string>()));
        Assert.Equal(job["cost"]!["cpuSeconds"]!.GetValue<double>(), byCodec.Sum(c => c["cpuSeconds"]!.GetValue<double>()), 0.05);
        Assert.All(byCodec, c => Assert.True(c["bytes"]!.GetValue<long>() > 0 && c["averageBitrate"]!.GetValue<long>() > 0));
        var all = job["renditions"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var video = all.Where(r => r["kind"]!.GetValue<string>() == "video").ToList();
        var audio = Assert.Single(all, r => r["kind"]!.GetValue<string>() == "audio");
        Assert.Equal(["avc1", "avc1", "hvc1", "hvc1", "av01", "av01"], video.Select(r => r["codecs"]!.GetValue<string>()[..4]));
        Assert.Equal([360, 180, 360, 180, 360, 180], video.Select(r => r["height"]!.GetValue<int>()));
        await AssertHlsMasterAsync(job, video, audio);
        var boundaries = await AssertMediaPlaylistsAsync(video, expectedSeconds: 3);
        Assert.All(boundaries, b => Assert.Equal(boundaries[0], b));
        await AssertMediaPlaylistsAsync([audio], expectedSeconds: 3);
        foreach (var rendition in video)
        {
            await AssertFirstSegmentDecodesAsync(rendition["playlistUrl"]!.GetValue<string>(), frames: 60);
        }

        var mpd = XDocument.Parse(await _cdn.GetStringAsync(job["dashUrl"]!.GetValue<string>()));
        var sets = mpd.Descendants(Mpd + "AdaptationSet").Where(s => (string?)s.Attribute("contentType") == "video").ToList();
        Assert.Equal(["avc1", "hvc1", "av01"], sets.Select(s => ((string)s.Element(Mpd + "Representation")!.Attribute("codecs")!)[..4]));
        Assert.All(sets, s => Assert.Equal(2, s.Elements(Mpd + "Representation").Count()));

        // Downloads: fetched by their URLs, the sizes the job says; the MP4 is faststart and holds the clip's 90 frames.
        var downloads = job["downloads"]!.AsArray().Select(d => d!.AsObject()).ToList();
        Assert.Equal(["mp4", "m4a"], downloads.Select(d => d["format"]!.GetValue<string>()));
        Assert.Equal(360, downloads[0]["height"]!.GetValue<int>());
        foreach (var download in downloads)
        {
            var bytes = await _cdn.GetByteArrayAsync(download["url"]!.GetValue<string>());
            Assert.Equal(download["sizeBytes"]!.GetValue<long>(), bytes.Length);
            var path = Path.Combine(_folder, "download." + download["format"]!.GetValue<string>());
            await File.WriteAllBytesAsync(path, bytes);
            Assert.True(Mp4Files.IsFaststart(bytes), string.Join(",", Mp4Files.TopLevelBoxes(bytes)));
            var duration = double.Parse((await TestClips.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path])).Trim(), CultureInfo.InvariantCulture);
            Assert.Equal(3, duration, 0.05);
        }

        var frames = await TestClips.RunAsync("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", Path.Combine(_folder, "download.mp4")]);
        Assert.Equal(90, int.Parse(frames.Trim(), CultureInfo.InvariantCulture));

        var stills = job["thumbnails"]!.AsArray().Select(t => t!.AsObject()).ToList();
        Assert.Equal([0.5, 2], stills.Select(t => t["seconds"]!.GetValue<double>()));
        foreach (var still in stills)
        {
            using var image = await _cdn.GetAsync(still["url"]!.GetValue<string>());
            Assert.Equal("image/webp", image.Content.Headers.ContentType?.MediaType);
            Assert.Equal((160, 90), (still["width"]!.GetValue<int>(), still["height"]!.GetValue<int>()));
        }

        await AssertRowAsync(id, "completed", renditions: all.Count);
        var (exitCode, stdout, stderr) = await BrowserScripts.RunAsync(Path.Combine(TestStack.RepositoryRoot, "test", "browser", "codecs.mjs"), new Dictionary<string, string>
        {
            ["API_URL"] = TestStack.ApiUrl,
            ["TOKEN"] = _api.Token,
            ["JOB_ID"] = id,
            ["CLIP"] = clip,
            ["SCREENSHOTS"] = Path.Combine(TestStack.DataFolder, "results", "browser"),
        });
        var report = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!.AsObject();
        Assert.True(exitCode == 0 && report["ok"]!.GetValue<bool>(), $"{report.ToJsonString()}\n{stderr}");

        // The job the form submitted: AV1 beside H.264, capped at 240 lines (one rung at the cap), an MP4, a clip of 0.5 s to 2.5 s.
        var formJob = await _api.WaitForEndAsync(report["formJobId"]!.GetValue<string>());
        Assert.Equal("completed", formJob["status"]!.GetValue<string>());
        Assert.Equal(["h264", "av1"], formJob["codecs"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal([240, 240], formJob["renditions"]!.AsArray().Where(r => r!["kind"]!.GetValue<string>() == "video").Select(r => r!["height"]!.GetValue<int>()));
        Assert.Equal(2, formJob["durationSeconds"]!.GetValue<double>(), 0.05);
        Assert.Equal("mp4", Assert.Single(formJob["downloads"]!.AsArray())!["format"]!.GetValue<string>());
    }

    /// <summary>
    /// What only the source can tell: an upload is checked against it before its job exists (a 400 naming the field,
    /// on a form upload and on a resumable upload's completion, which can then complete with other outputs); a URL
    /// input's job fails <c>invalid_outputs</c> naming the field, once.
    /// </summary>
    [Fact]
    public async Task OutputsTheSourceCannotGive_Are400ForAnUpload_AndFailAUrlJobNamingTheField()
    {
        var clip = await TestClips.VideoAsync(_folder, 640, 360, 2);

        using (var form = await _api.PostFileAsync(clip, options: """{"outputs": {"renditions": [{"height": 720}]}}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, form.StatusCode);
            var problem = await ApiClient.ReadProblemAsync(form);
            Assert.StartsWith("720 is above the source's height (360)", problem["errors"]!["outputs.renditions[0].height"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // A resumable upload: refused at completion, then completed with outputs the source can give.
        var bytes = await File.ReadAllBytesAsync(clip);
        var upload = (await (await _api.Http.PostAsJsonAsync("/v1/uploads", new { size = bytes.Length })).Content.ReadFromJsonAsync<JsonObject>())!;
        var (uploadId, uploadKey) = (upload["id"]!.GetValue<string>(), upload["uploadId"]!.GetValue<string>());
        var part = (await _api.Http.GetFromJsonAsync<JsonObject>($"/v1/uploads/{uploadId}/parts/1?uploadId={Uri.EscapeDataString(uploadKey)}"))!;
        (await _cdn.PutAsync(part["url"]!.GetValue<string>(), new ByteArrayContent(bytes))).EnsureSuccessStatusCode();
        using (var refused = await _api.Http.PostAsJsonAsync($"/v1/uploads/{uploadId}/complete", new { uploadId = uploadKey, outputs = new { clip = new { startSeconds = 1, endSeconds = 9 } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await ApiClient.ReadProblemAsync(refused))["errors"]!.AsObject().ContainsKey("outputs.clip.endSeconds"));
        }

        using (var completed = await _api.Http.PostAsJsonAsync($"/v1/uploads/{uploadId}/complete", new { uploadId = uploadKey, outputs = new { clip = new { startSeconds = 1, endSeconds = 2 } } }))
        {
            Assert.Equal(HttpStatusCode.Accepted, completed.StatusCode);
            var job = await _api.WaitForEndAsync(uploadId);
            Assert.Equal("completed", job["status"]!.GetValue<string>());
            Assert.Equal(1, job["durationSeconds"]!.GetValue<double>(), 0.05);
        }

        // A URL input: the job finds out.
        var key = $"url-inputs/{Guid.NewGuid():N}.mp4";
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"{TestStack.S3Url}/{TestStack.Bucket}/{key}") { Content = new ByteArrayContent(bytes) })
        {
            (await _cdn.SendAsync(put)).EnsureSuccessStatusCode();
        }

        using var response = await _api.Http.PostAsJsonAsync("/v1/jobs", new { inputUrl = $"{TestStack.S3Url}/{TestStack.Bucket}/{key}", outputs = new { renditions = new[] { new { height = 720 } } } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var failed = await _api.WaitForEndAsync((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal("invalid_outputs", failed["error"]!["code"]!.GetValue<string>());
        Assert.StartsWith("outputs.renditions[0].height: 720 is above the source's height (360)", failed["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, failed["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task UploadHlsPlaylistReferencingLocalFiles_FailsAsUnsupportedContainer()
    {
        var path = Path.Combine(_folder, "clip.mp4");
        await File.WriteAllTextAsync(path, "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n");

        var id = (await _api.UploadAsync(path))["id"]!.GetValue<string>();
        var job = await _api.WaitForEndAsync(id);

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("unsupported_container", job["error"]!["code"]!.GetValue<string>());
        Assert.Equal(1, job["attempts"]!.GetValue<int>());
        Assert.Empty(await Leftovers.ObjectsAsync(_api.Tenant, id));
    }

    [Fact]
    public async Task SubmitUrlOfATrustedHost_FetchesAndCompletes()
    {
        // The local object store is the one host the test stack trusts for URL inputs.
        var clip = await TestClips.VideoAsync(_folder, 426, 240, 2);
        var key = $"url-inputs/{Guid.NewGuid():N}.mp4";
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"{TestStack.S3Url}/{TestStack.Bucket}/{key}") { Content = new ByteArrayContent(await File.ReadAllBytesAsync(clip)) })
        {
            (await _cdn.SendAsync(put)).EnsureSuccessStatusCode();
        }

        using var response = await _api.Http.PostAsJsonAsync("/v1/jobs", new { inputUrl = $"{TestStack.S3Url}/{TestStack.Bucket}/{key}", priority = 2 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var job = await _api.WaitForEndAsync(id);

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal([("video", "240p"), ("audio", "Audio")], job["renditions"]!.AsArray().Select(r => (r!["kind"]!.GetValue<string>(), r["name"]!.GetValue<string>())));
    }

    [Fact]
    public async Task SubmitUrlOfAPrivateAddress_FailsAsRefusedWithoutRetry()
    {
        using var response = await _api.Http.PostAsJsonAsync("/v1/jobs", new { inputUrl = "http://169.254.169.254/latest/meta-data/" });
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var job = await _api.WaitForEndAsync(id);

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("input_refused", job["error"]!["code"]!.GetValue<string>());
        Assert.Equal(1, job["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task UploadPortraitClip_KeepsOrientationAndNamesRungsByShortSide()
    {
        var clip = await TestClips.VideoAsync(_folder, 720, 1280, 4);

        var id = (await _api.UploadAsync(clip))["id"]!.GetValue<string>();
        var job = await _api.WaitForEndAsync(id);

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal(
            [("720p", 720, 1280), ("480p", 480, 854), ("360p", 360, 640)],
            job["renditions"]!.AsArray().Where(r => r!["kind"]!.GetValue<string>() == "video")
                .Select(r => (r!["name"]!.GetValue<string>(), r["width"]!.GetValue<int>(), r["height"]!.GetValue<int>())));
    }

    [Fact]
    public async Task UploadTextRenamedMp4_FailsOnceWithMachineReadableReason()
    {
        var path = Path.Combine(_folder, "notes.mp4");
        await File.WriteAllTextAsync(path, "definitely not a video\n");

        var id = (await _api.UploadAsync(path))["id"]!.GetValue<string>();
        var job = await _api.WaitForEndAsync(id);

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("input_unreadable", job["error"]!["code"]!.GetValue<string>());
        Assert.Empty(await Leftovers.ObjectsAsync(_api.Tenant, id));
        Assert.Empty(Leftovers.ScratchFolders(id));
        Assert.False(string.IsNullOrWhiteSpace(job["error"]!["message"]!.GetValue<string>()));
        Assert.Equal(1, job["attempts"]!.GetValue<int>());
        await AssertRowAsync(id, "failed", renditions: 0);
    }

    /// <summary>Every video rendition is a variant whose BANDWIDTH is its peak plus the audio's, and whose CODECS name both.</summary>
    private async Task AssertHlsMasterAsync(JsonObject job, List<JsonObject> renditions, JsonObject audio)
    {
        var master = await _cdn.GetStringAsync(job["hlsUrl"]!.GetValue<string>());
        var lines = master.Split('\n');
        var variants = lines.Where(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && l.Contains("RESOLUTION=", StringComparison.Ordinal)).ToList();
        Assert.Equal(renditions.Count, variants.Count);

        // And one audio-only variant: the audio rendition's own playlist, its bandwidth alone.
        var audioOnly = Assert.Single(lines.Select((l, i) => (Line: l, Next: i + 1 < lines.Length ? lines[i + 1] : "")),
            l => l.Line.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && !l.Line.Contains("RESOLUTION=", StringComparison.Ordinal));
        Assert.Contains($"BANDWIDTH={audio["bandwidth"]!.GetValue<long>()},", audioOnly.Line, StringComparison.Ordinal);
        Assert.Contains($"CODECS=\"{audio["codecs"]}\"", audioOnly.Line, StringComparison.Ordinal);
        Assert.Equal(new Uri(audio["playlistUrl"]!.GetValue<string>()).Segments[^1], audioOnly.Next);
        foreach (var (variant, rendition) in variants.Zip(renditions))
        {
            Assert.Contains($"BANDWIDTH={rendition["bandwidth"]!.GetValue<long>() + audio["bandwidth"]!.GetValue<long>()},", variant, StringComparison.Ordinal);
            Assert.Contains($"AVERAGE-BANDWIDTH={rendition["averageBandwidth"]!.GetValue<long>() + audio["averageBandwidth"]!.GetValue<long>()},", variant, StringComparison.Ordinal);
            Assert.Contains($"RESOLUTION={rendition["width"]}x{rendition["height"]}", variant, StringComparison.Ordinal);
            Assert.Contains($"CODECS=\"{rendition["codecs"]},{audio["codecs"]}\"", variant, StringComparison.Ordinal);
            Assert.Contains("FRAME-RATE=30.000", variant, StringComparison.Ordinal);
        }

        Assert.Single(master.Split('\n'), l => l.StartsWith("#EXT-X-MEDIA:TYPE=AUDIO,", StringComparison.Ordinal) && l.EndsWith("\"" + new Uri(audio["playlistUrl"]!.GetValue<string>()).Segments[^1] + "\"", StringComparison.Ordinal));
    }

    /// <summary>Checks durations and that BANDWIDTH covers the real peak; returns each rendition's segment durations.</summary>
    private async Task<List<List<double>>> AssertMediaPlaylistsAsync(List<JsonObject> renditions, double expectedSeconds)
    {
        var all = new List<List<double>>();
        foreach (var rendition in renditions)
        {
            var url = new Uri(rendition["playlistUrl"]!.GetValue<string>());
            var lines = (await _cdn.GetStringAsync(url)).Split('\n');
            Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD", lines);
            Assert.Contains("#EXT-X-ENDLIST", lines);
            var durations = new List<double>();
            double peak = 0;
            for (var i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith("#EXTINF:", StringComparison.Ordinal))
                {
                    continue;
                }

                var duration = double.Parse(lines[i][8..].TrimEnd(','), CultureInfo.InvariantCulture);
                var segment = lines.Skip(i + 1).First(l => l.Length > 0 && !l.StartsWith('#'));
                using var head = await _cdn.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(url, segment)));
                head.EnsureSuccessStatusCode();
                peak = Math.Max(peak, head.Content.Headers.ContentLength!.Value * 8 / duration);
                durations.Add(duration);
            }

            Assert.InRange(durations.Sum(), expectedSeconds - 0.5, expectedSeconds + 0.5);
            Assert.True(rendition["bandwidth"]!.GetValue<long>() >= peak, $"{rendition["name"]}: bandwidth {rendition["bandwidth"]} under the peak {peak}");
            all.Add(durations);
        }

        return all;
    }

    private async Task AssertDashManifestAsync(string url, int videoRepresentations)
    {
        var manifest = XDocument.Parse(await _cdn.GetStringAsync(url));
        Assert.Equal("static", manifest.Root!.Attribute("type")!.Value);
        var sets = manifest.Descendants(Mpd + "AdaptationSet").ToList();
        Assert.Equal(videoRepresentations, sets.Single(s => s.Attribute("contentType")?.Value == "video").Elements(Mpd + "Representation").Count());
        Assert.Single(sets, s => s.Attribute("contentType")?.Value == "audio");
    }

    /// <summary>The init segment plus the first media segment, fetched from S3, decode as video.</summary>
    private async Task AssertFirstSegmentDecodesAsync(string playlistUrl, int frames = 30)
    {
        var url = new Uri(playlistUrl);
        var playlist = await _cdn.GetStringAsync(url);
        var init = playlist.Split('\n').First(l => l.StartsWith("#EXT-X-MAP:URI=", StringComparison.Ordinal))[16..^1];
        var first = playlist.Split('\n').First(l => l.EndsWith(".m4s", StringComparison.Ordinal) && !l.StartsWith('#'));
        var path = Path.Combine(_folder, "first.mp4");
        await using (var file = File.Create(path))
        {
            await file.WriteAsync(await _cdn.GetByteArrayAsync(new Uri(url, init)));
            await file.WriteAsync(await _cdn.GetByteArrayAsync(new Uri(url, first)));
        }

        var counted = await TestClips.RunAsync("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path]);
        Assert.Equal(frames, int.Parse(counted.Trim(), CultureInfo.InvariantCulture)); // the first segment: 1 s at 30 fps, 2 s with AV1 in the package
    }

    private static async Task AssertRowAsync(string id, string status, int renditions)
    {
        await using var data = NpgsqlDataSource.Create(TestStack.PostgresConnectionString);
        await using var command = data.CreateCommand("SELECT status, jsonb_array_length(renditions) FROM transcode_jobs WHERE id = @id");
        command.Parameters.AddWithValue("id", Guid.Parse(id));
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no row for job {id}");
        Assert.Equal(status, reader.GetString(0));
        Assert.Equal(renditions, reader.GetInt32(1));
    }

    public void Dispose()
    {
        _api.Dispose();
        _cdn.Dispose();
        Directory.Delete(_folder, true);
    }
}
