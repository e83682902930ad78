using System.Globalization;
using System.Text.Json;
using Transcoder.Abstractions;
using Transcoder.Storage;
using Transcoder.Testing;

namespace Transcoder.Cluster.Tests;

/// <summary>
/// A title encoded in chunks by two silo processes, and faults under it: a silo killed mid-chunk, and a cancel while
/// chunks run on both.
/// </summary>
public sealed class ChunkedJobFaultTests : IAsyncLifetime
{
    private const int ClipSeconds = 24;
    private const int ChunkSeconds = 4;
    private const int Chunks = ClipSeconds / ChunkSeconds;
    private readonly string _tenant = $"chunks-{Guid.NewGuid():N}"[..16];
    private readonly string _folder = TestStack.NewScratchFolder("chunks");
    private readonly HttpClient _cdn = new();
    private FaultCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await FaultCluster.StartAsync(silos: 2, settings: new Dictionary<string, string>
    {
        ["Chunking__MinSourceSeconds"] = "8",
        ["Chunking__ChunkSeconds"] = ChunkSeconds.ToString(CultureInfo.InvariantCulture),

        // Chunks that take a few seconds each, so that a fault lands while they encode.
        ["Ladder__Preset"] = "fast",
    });

    public async Task DisposeAsync()
    {
        _cdn.Dispose();
        await _cluster.DisposeAsync();
        Directory.Delete(_folder, true);
    }

    /// <summary>
    /// kill -9 of a silo while it encodes a chunk: only that chunk runs again, on the other silo; the chunks done stay
    /// done; the job ends with one package holding every frame once, and nothing else in the bucket.
    /// </summary>
    [Fact]
    public async Task KilledSiloMidChunk_OnlyItsChunkRunsAgain_AndOnePackageHoldsEveryFrame()
    {
        var (id, source) = await SubmitAsync();
        var chunk = await Eventually.ValueAsync(
            () => Task.FromResult(TestProcesses.FfmpegsOf(id).FirstOrDefault(f => f.EncodesChunk && _cluster.Silos.Any(s => s.Pid == f.ParentPid))),
            f => f is not null, TimeSpan.FromMinutes(2), $"job {id}: no chunk was seen encoding", TimeSpan.FromMilliseconds(50));
        var victim = _cluster.Silos.Single(s => s.Pid == chunk!.ParentPid);
        victim.Kill();

        var done = await _cluster.WaitForJobAsync(id, j => j.Status.IsTerminal(), TimeSpan.FromMinutes(4));

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(Chunks, done.Outputs!.Chunks);
        Assert.Equal(2, done.Attempts);

        // Every chunk encoded to the end once, but for one the dead silo may have finished without telling anyone.
        var encoded = _cluster.Silos.SelectMany(s => s.LogLines()).Select(ChunkEncoded).OfType<int>().ToList();
        Assert.Equal(Enumerable.Range(1, Chunks), encoded.Distinct().Order());
        Assert.InRange(encoded.Count, Chunks, Chunks + 1);

        await AssertOnePackageAsync(id, source, done);
    }

    /// <summary>Cancel while chunks encode on both silos: every chunk's ffmpeg stops, and nothing of the job is left.</summary>
    [Fact]
    public async Task Cancel_WithChunksOnBothSilos_StopsThemAllAndLeavesNothing()
    {
        var (id, _) = await SubmitAsync();
        await Eventually.TrueAsync(
            () => TestProcesses.FfmpegsOf(id).Where(f => f.EncodesChunk).Select(f => f.ParentPid).Distinct().Count() == 2,
            TimeSpan.FromMinutes(2), $"job {id}: chunks never ran on both silos at once", TimeSpan.FromMilliseconds(50));

        var canceled = await _cluster.Client.GetGrain<ITranscodeJobGrain>(id).CancelAsync();

        Assert.Equal(JobStatus.Canceled, canceled!.Status);
        await Eventually.TrueAsync(() => TestProcesses.FfmpegsOf(id).Count == 0, TimeSpan.FromSeconds(15), "an ffmpeg of the job still runs");
        await Eventually.TrueAsync(
            async () => (await _cluster.Store.ListAsync(ObjectKeys.JobPrefix(_tenant, id), CancellationToken.None)).Count == 0,
            TimeSpan.FromSeconds(15), "objects of the canceled job are left in the bucket");
        await Eventually.TrueAsync(
            () => !Directory.Exists(Path.Combine(_cluster.LogFolder, "scratch")) || !Directory.EnumerateDirectories(Path.Combine(_cluster.LogFolder, "scratch"), $"{id:N}-*").Any(),
            TimeSpan.FromSeconds(15), "scratch folders of the canceled job are left");
        Assert.All(_cluster.Silos, s => Assert.False(s.HasExited));
    }

    private async Task<(Guid Id, string Source)> SubmitAsync()
    {
        var id = Guid.NewGuid();
        var clip = await TestClips.VideoAsync(_folder, 1280, 720, ClipSeconds);
        var source = ObjectKeys.Source(_tenant, id);
        await _cluster.Store.PutFileAsync(source, clip, "video/mp4", CancellationToken.None);
        await _cluster.Client.SubmitJobAsync(id, new JobSpec(_tenant, new JobInput(JobInputKind.Upload, source), 5));
        return (id, source);
    }

    /// <summary>
    /// The bucket holds the source and one package, every object of which a playlist, the manifest or the job names
    /// (nothing duplicated, no chunk's leftovers), and each rung has exactly the source's frames.
    /// </summary>
    private async Task AssertOnePackageAsync(Guid id, string source, JobView done)
    {
        var prefix = ObjectKeys.JobPrefix(_tenant, id);
        var keys = (await _cluster.Store.ListAsync(prefix, CancellationToken.None)).Where(k => k != source).ToList();
        var hls = done.Outputs!.HlsKey!;
        var package = hls[..(hls.LastIndexOf('/') + 1)];
        Assert.All(keys, k => Assert.StartsWith(package, k, StringComparison.Ordinal));

        var named = new HashSet<string>(StringComparer.Ordinal) { "master.m3u8", "manifest.mpd", "poster.jpg", "storyboard.jpg", "storyboard.vtt" };
        foreach (var rendition in done.Outputs.Renditions)
        {
            var playlist = await _cdn.GetStringAsync(PublicUrl(rendition.PlaylistUrl));
            Assert.DoesNotContain("#EXT-X-DISCONTINUITY", playlist, StringComparison.Ordinal);
            named.Add(rendition.PlaylistUrl[package.Length..]);
            foreach (var line in playlist.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')))
            {
                named.Add(line);
            }

            if (playlist.Split('\n').FirstOrDefault(l => l.StartsWith("#EXT-X-MAP:URI=", StringComparison.Ordinal)) is { } map)
            {
                named.Add(map["#EXT-X-MAP:URI=\"".Length..^1]);
            }

            if (rendition.Kind == RenditionKind.Video)
            {
                Assert.Equal(ClipSeconds * 30, await FramesAsync(PublicUrl(rendition.PlaylistUrl)));
            }
        }

        Assert.Equal(named.Order(StringComparer.Ordinal), keys.Select(k => k[package.Length..]).Order(StringComparer.Ordinal));
    }

    private static string PublicUrl(string key) => $"{TestStack.S3Url}/{TestStack.Bucket}/{key}";

    /// <summary>Frames of a playlist's video as ffprobe decodes them (it lists the stream under its program too: the first line is it).</summary>
    private static async Task<int> FramesAsync(string playlistUrl) => int.Parse(
        (await TestClips.RunAsync("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", playlistUrl]))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0],
        CultureInfo.InvariantCulture);

    /// <summary>The chunk number (1-based) a silo's log line says it encoded, if it is such a line.</summary>
    private static int? ChunkEncoded(string line)
    {
        if (!line.Contains("\"EventId\":3130", StringComparison.Ordinal))
        {
            return null;
        }

        using var json = JsonDocument.Parse(line);
        return json.RootElement.GetProperty("State").GetProperty("Chunk").GetInt32();
    }
}
