using System.Xml.Linq;
using Transcoder.Abstractions;
using Transcoder.Media.Packaging;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

/// <summary>The packager's parts on their own: playlists and manifests from a segment index, and cutting fragmented MP4.</summary>
public sealed class PackagingTests : IDisposable
{
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";
    private readonly MediaRig _rig = new();

    private static Rendition Video(string name, int width, int height, long peak, long average) => new()
    {
        Kind = RenditionKind.Video, Name = name, Codecs = "avc1.64001f", Width = width, Height = height, FrameRate = 29.97,
        Bandwidth = peak, AverageBandwidth = average, SizeBytes = 1, PlaylistUrl = $"media_{name}.m3u8",
    };

    private static Rendition Audio(string? language, long peak) => new()
    {
        Kind = RenditionKind.Audio, Name = language ?? "audio", Language = language, Codecs = "mp4a.40.2", Channels = 2,
        Bandwidth = peak, AverageBandwidth = peak - 1000, SizeBytes = 1, PlaylistUrl = $"media_{language ?? "a0"}.m3u8",
    };

    private static Rendition Text(string language, string name) => new()
    {
        Kind = RenditionKind.Text, Name = name, Language = language, Codecs = "wvtt", Bandwidth = 500, AverageBandwidth = 400, SizeBytes = 1,
        PlaylistUrl = "media_t0.m3u8", FileUrl = "text-t0.vtt",
    };

    [Fact]
    public void Media_WhileEncoding_IsAnOpenEventPlaylist_AndWhenCompleteAVodOne()
    {
        HlsSegment[] segments = [new("chunk-v0-00001.m4s", 1), new("chunk-v0-00002.m4s", 2.002)];

        var open = HlsPlaylists.Media("init-v0.m4s", segments, 3, complete: false);
        var done = HlsPlaylists.Media("init-v0.m4s", segments, 3, complete: true);

        Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT\n", open, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXT-X-ENDLIST", open, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD\n", done, StringComparison.Ordinal);
        Assert.EndsWith("chunk-v0-00002.m4s\n#EXT-X-ENDLIST\n", done, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-TARGETDURATION:3\n", done, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MAP:URI=\"init-v0.m4s\"\n", done, StringComparison.Ordinal);
        Assert.Equal(segments, HlsPlaylists.ReadSegments(done));
        Assert.Equal(open.Replace("EVENT", "VOD", StringComparison.Ordinal) + "#EXT-X-ENDLIST\n", done);
    }

    /// <summary>RFC 8216: a variant's BANDWIDTH is the largest sum of peaks of any playable combination; CODECS names all its media.</summary>
    [Fact]
    public void Master_VariantsCarryTheirVideoPlusTheLargestAudio()
    {
        var master = HlsPlaylists.Master([Video("720p", 1280, 720, 3_000_000, 2_000_000), Video("360p", 640, 360, 900_000, 700_000), Audio("eng", 140_000), Audio("fra", 150_000)]);

        var lines = master.Split('\n');
        Assert.Equal(2, lines.Count(l => l.StartsWith("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\"", StringComparison.Ordinal)));
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"eng\",LANGUAGE=\"eng\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"media_eng.m3u8\"", lines);
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"fra\",LANGUAGE=\"fra\",DEFAULT=NO,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"media_fra.m3u8\"", lines);
        Assert.Contains("#EXT-X-STREAM-INF:BANDWIDTH=3150000,AVERAGE-BANDWIDTH=2149000,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO=\"aac\"", lines);
        Assert.Equal("media_720p.m3u8", lines[Array.FindIndex(lines, l => l.Contains("RESOLUTION=1280x720", StringComparison.Ordinal)) + 1]);
        Assert.True(Array.FindIndex(lines, l => l.Contains("1280x720", StringComparison.Ordinal)) < Array.FindIndex(lines, l => l.Contains("640x360", StringComparison.Ordinal)));
    }

    /// <summary>Accessibility roles: audio description and captions for deaf viewers carry Apple's media characteristics.</summary>
    [Fact]
    public void Master_AccessibilityRoles_AreCharacteristics_AndForcedSubtitlesAreAutoSelected()
    {
        var master = HlsPlaylists.Master(
        [
            Video("720p", 1280, 720, 3_000_000, 2_000_000),
            Audio("en", 140_000) with { Default = true },
            Audio("en", 140_000) with { Name = "English (audio description)", Role = Rendition.Roles.Description, PlaylistUrl = "media_a1.m3u8" },
            Audio("en", 140_000) with { Name = "English (commentary)", Role = Rendition.Roles.Commentary, PlaylistUrl = "media_a2.m3u8" },
            Text("en", "English (SDH)") with { Role = Rendition.Roles.Captions },
            Text("fr", "French (forced)") with { Forced = true, PlaylistUrl = "media_t1.m3u8" },
        ]);

        var lines = master.Split('\n');
        Assert.Contains(lines, l => l.Contains("NAME=\"English (audio description)\"", StringComparison.Ordinal) && l.Contains("CHARACTERISTICS=\"public.accessibility.describes-video\"", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("NAME=\"English (commentary)\"", StringComparison.Ordinal) && l.Contains("CHARACTERISTICS", StringComparison.Ordinal));
        Assert.Contains("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English (SDH)\",LANGUAGE=\"en\",DEFAULT=NO,AUTOSELECT=YES,CHARACTERISTICS=\"public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound\",URI=\"media_t0.m3u8\"", lines);
        Assert.Contains("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"French (forced)\",LANGUAGE=\"fr\",DEFAULT=NO,AUTOSELECT=YES,FORCED=YES,URI=\"media_t1.m3u8\"", lines);
        Assert.Single(lines, l => l.StartsWith("#EXT-X-MEDIA:TYPE=AUDIO", StringComparison.Ordinal) && l.Contains("DEFAULT=YES", StringComparison.Ordinal));
        Assert.Contains("#EXT-X-STREAM-INF:BANDWIDTH=3140500,AVERAGE-BANDWIDTH=2139400,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO=\"aac\",SUBTITLES=\"subs\"", lines);
    }

    [Fact]
    public void Master_AudioOnly_MakesTheAudioTheVariants()
    {
        var master = HlsPlaylists.Master([Audio(null, 130_000)]);

        Assert.Equal("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=130000,AVERAGE-BANDWIDTH=129000,CODECS=\"mp4a.40.2\"\nmedia_a0.m3u8\n", master);
    }

    /// <summary>
    /// An encoder's fragmented MP4, fed to the segmenter a few kilobytes at a time as if ffmpeg were still writing it,
    /// gives byte for byte the segments of the whole file cut at once: a partly written box is never taken.
    /// </summary>
    [Theory]
    [InlineData("video")]
    [InlineData("audio")]
    public async Task Segmenter_FollowingAGrowingFile_CutsTheSameSegmentsAsFromTheWholeFile(string kind)
    {
        var flags = kind == "video" ? FfmpegArguments.VideoFragments : FfmpegArguments.AudioFragments;
        string[] media = kind == "video"
            ? ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-sc_threshold", "0"]
            : ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-c:a", "aac", "-b:a", "96k"];
        var encoded = await _rig.MakeAsync($"{kind}.mp4", [.. media, "-t", "5", "-f", "mp4", "-movflags", flags]);
        var whole = Folder($"{kind}-whole");
        var growing = Folder($"{kind}-growing");
        var source = Path.Combine(growing, "source.mp4");

        using (var once = new Segmenter("x", encoded, whole, i => i))
        {
            once.Cut(final: true);
        }

        var bytes = await File.ReadAllBytesAsync(encoded);
        using var follower = new Segmenter("x", source, growing, i => i);
        var written = new List<string>();
        await using (var file = new FileStream(source, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            for (var at = 0; at < bytes.Length; at += 7_001)
            {
                await file.WriteAsync(bytes.AsMemory(at, Math.Min(7_001, bytes.Length - at)));
                await file.FlushAsync();
                written.AddRange(follower.Cut(final: false));
                Assert.All(written, name => Assert.True(File.Exists(Path.Combine(growing, name))));
            }
        }

        written.AddRange(follower.Cut(final: true));

        Assert.Equal(5, follower.Segments.Count);
        Assert.Equal(written.Order(StringComparer.Ordinal), Directory.EnumerateFiles(whole).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(written, name => Assert.Equal(File.ReadAllBytes(Path.Combine(whole, name)), File.ReadAllBytes(Path.Combine(growing, name))));
        // Each segment ends on the grid (one second apart here) in presentation time, at most a frame past it.
        var track = follower.Track!;
        var frame = kind == "video" ? 1 / 30.0 : 1024.0 / 48000;
        Assert.All(follower.Segments.SkipLast(1).Select((s, i) => (s, i)), p =>
            Assert.InRange(((double)(p.s.Start + p.s.Duration) - track.MediaTime) / track.Timescale, p.i + 1, p.i + 1 + frame));
    }

    /// <summary>Audio written a frame per fragment comes out one fragment per segment, which plays as the original did.</summary>
    [Fact]
    public async Task Segmenter_MergesAFragmentPerFrameIntoOneFragmentPerSegment()
    {
        var encoded = await _rig.MakeAsync("frames.mp4", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "4", "-c:a", "aac",
            "-f", "mp4", "-movflags", FfmpegArguments.AudioFragments);
        var folder = Folder("merged");
        using var segmenter = new Segmenter("a0", encoded, folder, i => 2 * i);

        segmenter.Cut(final: true);
        var joined = Path.Combine(folder, "joined.mp4");
        await using (var file = File.Create(joined))
        {
            foreach (var name in segmenter.Segments.Select(s => s.Uri).Prepend(segmenter.InitUri))
            {
                await file.WriteAsync(await File.ReadAllBytesAsync(Path.Combine(folder, name)));
            }
        }

        Assert.Equal(2, segmenter.Segments.Count);
        Assert.All(segmenter.Segments, s => Assert.Single(Moofs(File.ReadAllBytes(Path.Combine(folder, s.Uri)))));
        Assert.Equal(await PacketsAsync(encoded), await PacketsAsync(joined));
        Assert.Equal(("a0", "mp4a.40.2", 48000u, 2), (segmenter.Id, segmenter.Track!.Codecs, segmenter.Track.Timescale, segmenter.Track.Channels));
    }

    /// <summary>The codec string read from the initialization segment names the profile and level ffprobe sees in the stream.</summary>
    [Theory]
    [InlineData("ultrafast", "baseline", 0x42)]
    [InlineData("veryfast", "main", 0x4d)]
    [InlineData("veryfast", "high", 0x64)]
    public async Task InitSegment_CodecStringCarriesTheStreamsProfileAndLevel(string preset, string profile, int profileIdc)
    {
        var encoded = await _rig.MakeAsync($"{preset}-{profile}.mp4", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "1",
            "-c:v", "libx264", "-preset", preset, "-profile:v", profile, "-pix_fmt", "yuv420p", "-f", "mp4", "-movflags", FfmpegArguments.VideoFragments);
        var folder = Folder($"codec-{preset}-{profile}");
        using var segmenter = new Segmenter("v0", encoded, folder, i => i);

        segmenter.Cut(final: true);

        var level = int.Parse(await MediaRig.StreamEntryAsync(encoded, "v:0", "level"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches($"^avc1\\.{profileIdc:x2}[0-9a-f]{{2}}{level:x2}$", segmenter.Track!.Codecs);
        Assert.Equal((1280, 720), (segmenter.Track.Width, segmenter.Track.Height));
    }

    [Fact]
    public void DashTimeline_RepeatsEqualSegments_AndStartsWithTheFirstsTime()
    {
        var track = new TrackInfo(1, "vide", 15360, "avc1.64001f", null, 640, 360, null, null, new SampleDefaults(0, 0, 0));
        MediaSegment[] segments =
        [
            new(1, "chunk-v0-00001.m4s", 0, 15360, 10), new(2, "chunk-v0-00002.m4s", 15360, 15360, 10),
            new(3, "chunk-v0-00003.m4s", 30720, 30720, 10), new(4, "chunk-v0-00004.m4s", 61440, 30720, 10), new(5, "chunk-v0-00005.m4s", 92160, 7680, 10),
        ];
        var representation = new DashRepresentation("v0", Video("360p", 640, 360, 1_000, 900) with { FrameRate = 30 }, track, segments, "30");

        var manifest = XDocument.Parse(DashManifest.Static([representation], "16:9", 2));

        var timeline = manifest.Descendants(Mpd + "S").Select(s => s.Attributes().ToDictionary(a => a.Name.LocalName, a => a.Value)).ToList();
        Assert.Equal(3, timeline.Count);
        Assert.Equal(new Dictionary<string, string> { ["t"] = "0", ["d"] = "15360", ["r"] = "1" }, timeline[0]);
        Assert.Equal(new Dictionary<string, string> { ["d"] = "30720", ["r"] = "1" }, timeline[1]);
        Assert.Equal(new Dictionary<string, string> { ["d"] = "7680" }, timeline[2]);
        Assert.Equal("PT6.5S", manifest.Root!.Attribute("mediaPresentationDuration")!.Value);
        Assert.Equal("16:9", manifest.Descendants(Mpd + "AdaptationSet").Single().Attribute("par")!.Value);
    }

    public void Dispose() => _rig.Dispose();

    private string Folder(string name)
    {
        var path = Path.Combine(_rig.Folder, name);
        Directory.CreateDirectory(path);
        return path;
    }

    private static IEnumerable<int> Moofs(byte[] segment)
    {
        for (var at = 0; at + 8 <= segment.Length;)
        {
            var size = (segment[at] << 24) | (segment[at + 1] << 16) | (segment[at + 2] << 8) | segment[at + 3];
            if (System.Text.Encoding.ASCII.GetString(segment, at + 4, 4) == "moof")
            {
                yield return at;
            }

            at += size;
        }
    }

    private static Task<string> PacketsAsync(string path) =>
        TestClips.RunAsync("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "packet=pts,duration,size", "-of", "csv=p=0", path]);
}
