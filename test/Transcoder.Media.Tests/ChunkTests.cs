using System.Globalization;
using Transcoder.Abstractions;
using Transcoder.Media.Chunking;
using Transcoder.Media.Packaging;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

/// <summary>A title's video cut into chunks encoded apart, joined without re-encoding into the renditions the whole encode makes.</summary>
public sealed class ChunkTests : IDisposable
{
    private readonly MediaRig _rig = new();

    [Fact]
    public void Plan_CutsOnSegmentEdges_AtTheFramesThatStartThem()
    {
        var plan = PlanOf(TimeSpan.FromSeconds(130), new Rational(30000, 1001));

        var chunks = ChunkPlanner.Plan(plan, new ChunkingOptions { MinSourceSeconds = 60, ChunkSeconds = 20, FirstChunkSeconds = 20 });

        Assert.Equal(7, chunks.Length);
        Assert.Equal([0, 11, 21, 31, 41, 51, 61], chunks.Select(c => c.FirstSegment));
        Assert.All(chunks.Skip(1), c => Assert.Equal(c.Index * 20.0, plan.SegmentStart(c.FirstSegment)));
        // 20 s at 29.97 fps is 599.4 frames: the chunk starts on frame 600, the first at or after 20 s, as the keyframe is.
        Assert.Equal([0L, 600, 1199, 1799, 2398, 2998, 3597], chunks.Select(c => c.StartFrame));
        Assert.All(chunks.Zip(chunks.Skip(1)), p => Assert.Equal(p.Second.StartFrame - p.First.StartFrame, p.First.FrameCount));
        Assert.Null(chunks[^1].FrameCount);
        Assert.Equal(600 * 1001 / 30000.0, chunks[1].StartSeconds, 9);
    }

    /// <summary>The first chunk is short, so that the title is playable soon; the rest follow at the set length from its end.</summary>
    [Fact]
    public void Plan_AShortFirstChunk_ThenChunksOfTheSetLengthFromItsEnd()
    {
        var plan = PlanOf(TimeSpan.FromSeconds(50), new Rational(25, 1));

        var chunks = ChunkPlanner.Plan(plan, new ChunkingOptions { MinSourceSeconds = 30, ChunkSeconds = 20, FirstChunkSeconds = 4 });

        Assert.Equal([0.0, 4, 24, 44], chunks.Select(c => plan.SegmentStart(c.FirstSegment)));
        Assert.Equal([0L, 100, 600, 1100], chunks.Select(c => c.StartFrame));
        Assert.Equal([100L, 500, 500], chunks.Take(3).Select(c => c.FrameCount!.Value));
        Assert.Equal(150, ChunkPlanner.Frames(plan, chunks[^1]));
        Assert.Throws<ArgumentException>(() => ChunkPlanner.Plan(plan, new ChunkingOptions { MinSourceSeconds = 1, ChunkSeconds = 20, FirstChunkSeconds = 3 }));
    }

    [Fact]
    public void Plan_ShortTitles_AndChunksThatAreNotWholeSegments()
    {
        var plan = PlanOf(TimeSpan.FromSeconds(30), new Rational(25, 1));

        Assert.Empty(ChunkPlanner.Plan(plan, new ChunkingOptions { MinSourceSeconds = 60, ChunkSeconds = 10 }));
        Assert.Empty(ChunkPlanner.Plan(plan with { Rungs = [] }, new ChunkingOptions { MinSourceSeconds = 1, ChunkSeconds = 10 }));
        Assert.Throws<ArgumentException>(() => ChunkPlanner.Plan(plan, new ChunkingOptions { MinSourceSeconds = 1, ChunkSeconds = 3 }));
    }

    [Theory]
    [InlineData(25, 1)]
    [InlineData(30000, 1001)]
    public async Task ChunksEncodedApart_JoinIntoTheWholeEncodesFrames_OnOneContinuousTimeline(int numerator, int denominator)
    {
        var rate = string.Create(CultureInfo.InvariantCulture, $"{numerator}/{denominator}");
        var input = await _rig.MakeAsync($"chunks-{numerator}.mp4", "-f", "lavfi", "-i", $"testsrc2=size=854x480:rate={rate}:duration=12",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "48");
        var whole = await _rig.TranscodeAsync(input, name: $"whole-{numerator}");
        var plan = whole.Plan;
        var chunks = ChunkPlanner.Plan(plan, new ChunkingOptions { MinSourceSeconds = 1, ChunkSeconds = 4 });
        Assert.Equal(3, chunks.Length);

        var output = Path.Combine(_rig.Folder, $"chunked-{numerator}");
        var outputs = new List<ChunkOutput>();
        foreach (var chunk in chunks)
        {
            var folder = Path.Combine(_rig.Folder, $"chunk-{numerator}-{chunk.Index}");
            var encoded = await _rig.Encoder.EncodeChunkAsync(plan, chunk, input, folder, new Progress<double>(), CancellationToken.None);
            var packaged = ChunkPackager.Cut(plan, chunk, folder, output, encoded);
            Assert.Equal(chunk.Index == 0, packaged.Files.Any(f => f.StartsWith("init-", StringComparison.Ordinal)));
            outputs.Add(packaged.Output);
        }

        // The frames each chunk holds add up to the title's.
        Assert.Equal(await Pictures.CountAsync(input), outputs.Sum(o => o.Frames));
        foreach (var id in plan.Renditions.Where(r => r.Kind == RenditionKind.Video).Select(r => r.Id))
        {
            // One init segment for all: every chunk's encoder wrote the same bytes.
            Assert.Single(outputs.Select(o => o.Renditions.Single(r => r.Id == id).InitSha256).Distinct());
            var segments = outputs.SelectMany(o => o.Renditions.Single(r => r.Id == id).Segments).ToList();
            var track = Fmp4.ReadInit(await File.ReadAllBytesAsync(Path.Combine(output, PackageLayout.Init(id))));

            // The same segment grid as the whole encode, numbered 1..n, each starting where the one before ended.
            var wholeSegments = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(whole.Output, PackageLayout.MediaPlaylist(id))));
            Assert.Equal(Enumerable.Range(1, segments.Count), segments.Select(s => s.Number));
            Assert.Equal(wholeSegments.Select(s => Math.Round(s.Duration, 3)), segments.Select(s => Math.Round((double)s.Duration / track.Timescale, 3)));
            Assert.All(segments.Zip(segments.Skip(1)), p => Assert.Equal(p.First.Start + p.First.Duration, p.Second.Start));
            foreach (var segment in segments)
            {
                // What the file says (its tfdt), not only what the index says.
                var bytes = await File.ReadAllBytesAsync(Path.Combine(output, PackageLayout.Segment(id, segment.Number)));
                Assert.Equal(segment.Start, Fmp4.ReadFragment(bytes, track.Defaults).BaseTime);
                Assert.Equal(segment.Bytes, bytes.Length);
            }

            // Exactly the whole encode's frames: none doubled or dropped at a join.
            var joined = Path.Combine(_rig.Folder, $"joined-{numerator}-{id}.mp4");
            await using (var file = File.Create(joined))
            {
                await file.WriteAsync(await File.ReadAllBytesAsync(Path.Combine(output, PackageLayout.Init(id))));
                foreach (var segment in segments)
                {
                    await file.WriteAsync(await File.ReadAllBytesAsync(Path.Combine(output, PackageLayout.Segment(id, segment.Number))));
                }
            }

            var wholeFile = await MediaRig.JoinRenditionAsync(whole.Output, id, Path.Combine(_rig.Folder, $"whole-{numerator}-{id}.mp4"));
            Assert.Equal(await Pictures.CountAsync(wholeFile), await Pictures.CountAsync(joined));
        }
    }

    /// <summary>The stitched video with the audio encoded whole: the same playlists and manifest as the whole encode's.</summary>
    [Fact]
    public async Task ChunkedPackage_HasTheWholeEncodesSegmentGrid_InItsPlaylistsAndManifest()
    {
        var input = await _rig.MakeAsync("chunked-package.mp4", "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=25:duration=12",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=12", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac");
        var whole = await _rig.TranscodeAsync(input, name: "whole-package");
        var plan = whole.Plan;
        var output = Path.Combine(_rig.Folder, "chunked-package");
        var outputs = new List<ChunkOutput>();
        foreach (var chunk in ChunkPlanner.Plan(plan, new ChunkingOptions { MinSourceSeconds = 1, ChunkSeconds = 4 }))
        {
            var folder = Path.Combine(_rig.Folder, $"package-chunk-{chunk.Index}");
            var encoded = await _rig.Encoder.EncodeChunkAsync(plan, chunk, input, folder, new Progress<double>(), CancellationToken.None);
            outputs.Add(ChunkPackager.Cut(plan, chunk, folder, output, encoded).Output);
        }

        using var package = LadderPackage.Joined(plan, Path.Combine(_rig.Folder, "package-audio"), output);
        var inits = package.JoinedIds.ToDictionary(id => id, id => File.ReadAllBytes(Path.Combine(output, PackageLayout.Init(id))));
        foreach (var chunk in outputs)
        {
            package.Join(chunk, inits);
        }

        await _rig.Encoder.EncodeAsync(plan with { Rungs = [], Thumbnails = null }, input, package, new Progress<double>(), CancellationToken.None);

        // The poster and storyboard from the stills the chunks took, as the title run collects them.
        var parts = Path.Combine(output, PackageLayout.PartsFolder);
        File.Copy(Path.Combine(parts, PackageLayout.Poster), Path.Combine(output, PackageLayout.Poster));
        await _rig.Encoder.TileStoryboardAsync(plan.Thumbnails!, parts, Path.Combine(output, PackageLayout.StoryboardImage), CancellationToken.None);
        var title = package.Finish([]);

        Assert.Equal(whole.Title.Renditions.Select(r => (r.Kind, r.Name, r.Width, r.Codecs)), title.Renditions.Select(r => (r.Kind, r.Name, r.Width, r.Codecs)));
        Assert.Equal(whole.Title.DurationSeconds, title.DurationSeconds, 3);
        foreach (var rendition in title.Renditions)
        {
            var chunked = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(output, rendition.PlaylistUrl)));
            var reference = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(whole.Output, rendition.PlaylistUrl)));
            Assert.Equal(reference, chunked);
        }

        // The MPD's timelines too: the same S elements (t, d, r) for every representation.
        static IEnumerable<string> Timelines(string mpd) => System.Xml.Linq.XDocument.Load(mpd).Descendants()
            .Where(e => e.Name.LocalName == "SegmentTimeline").Select(e => e.ToString(System.Xml.Linq.SaveOptions.DisableFormatting));
        Assert.Equal(Timelines(Path.Combine(whole.Output, PackageLayout.DashManifest)), Timelines(Path.Combine(output, PackageLayout.DashManifest)));
        var master = await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.HlsMaster));
        Assert.Equal(plan.Rungs.Length, master.Split('\n').Count(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && l.Contains("RESOLUTION=", StringComparison.Ordinal)));

        // One still per thumbnail instant across the chunks, tiled like the whole encode's sprite; the poster is the whole's frame.
        Assert.Equal(plan.Thumbnails!.Count, Directory.EnumerateFiles(parts, "thumb-*.jpg").Count());
        Assert.Equal((PackageLayout.Poster, PackageLayout.StoryboardTrack), (title.Poster, title.StoryboardTrack));
        Assert.Equal(await SizeAsync(Path.Combine(whole.Output, PackageLayout.StoryboardImage)), await SizeAsync(Path.Combine(output, PackageLayout.StoryboardImage)));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(whole.Output, PackageLayout.StoryboardTrack)), await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.StoryboardTrack)));
        Assert.True(await Pictures.PsnrAsync(Path.Combine(whole.Output, PackageLayout.Poster), Path.Combine(output, PackageLayout.Poster)) > 30);
    }

    /// <summary>A chunked title's text tracks are cut on the joined video's segments, a cue across a join and an edge in both.</summary>
    [Fact]
    public async Task ChunkedPackage_CutsTextOnTheJoinedVideosSegments()
    {
        var input = await _rig.MakeAsync("chunked-text.mp4", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=12", "-c:v", "libx264", "-preset", "ultrafast");
        var plan = (await _rig.TranscodeAsync(input, name: "whole-text")).Plan with
        {
            TextTracks = [new PlannedText("t0", "en", "English", Default: true, Forced: false, Role: null, StreamIndex: null, CaptionIndex: 0)],
        };
        var output = Path.Combine(_rig.Folder, "chunked-text");
        var outputs = new List<ChunkOutput>();
        foreach (var chunk in ChunkPlanner.Plan(plan, new ChunkingOptions { MinSourceSeconds = 1, ChunkSeconds = 4 }))
        {
            var folder = Path.Combine(_rig.Folder, $"text-chunk-{chunk.Index}");
            var encoded = await _rig.Encoder.EncodeChunkAsync(plan, chunk, input, folder, new Progress<double>(), CancellationToken.None);
            outputs.Add(ChunkPackager.Cut(plan, chunk, folder, output, encoded).Output);
        }

        var cues = new Dictionary<string, IReadOnlyList<Captions.Cue>> { ["t0"] = [new Captions.Cue(TimeSpan.FromSeconds(7.5), TimeSpan.FromSeconds(8.5), "Across the join", 3)] };
        using var package = LadderPackage.Joined(plan, Path.Combine(_rig.Folder, "text-audio"), output, cues);
        var inits = package.JoinedIds.ToDictionary(id => id, id => File.ReadAllBytes(Path.Combine(output, PackageLayout.Init(id))));
        outputs.ForEach(o => package.Join(o, inits));
        package.Cut();
        var title = package.Finish([]);

        var video = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.MediaPlaylist("v0"))));
        var text = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.MediaPlaylist("t0"))));
        Assert.Equal(video.Select(s => Math.Round(s.Duration, 3)), text.Select(s => Math.Round(s.Duration, 3)));
        Assert.Contains(title.Renditions, r => r.Kind == RenditionKind.Text && r.Language == "en");

        // Segments 5 ([6 s, 8 s), the second chunk's last) and 6 ([8 s, 10 s), the third chunk's first) both carry the cue.
        var holding = text.Select((s, i) => (Number: i + 1, Body: File.ReadAllText(Path.Combine(output, s.Uri))))
            .Where(s => s.Body.Contains("Across the join", StringComparison.Ordinal)).Select(s => s.Number);
        Assert.Equal([5, 6], holding);
    }

    /// <summary>
    /// HEVC and AV1 rungs encoded in chunks join as H.264's do: each codec's chunks share one init segment (the join
    /// checks its hash), and every rendition has the whole encode's segment grid and frames.
    /// </summary>
    [Fact]
    public async Task ChunksOfEveryCodec_JoinOnTheWholeEncodesGrid()
    {
        var input = await _rig.MakeAsync("chunked-codecs.mp4", "-f", "lavfi", "-i", "testsrc2=size=426x240:rate=25:duration=12",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=12", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac");
        var outputs = new OutputOptions { Codecs = [OutputCodec.H264, OutputCodec.Hevc, OutputCodec.Av1] };
        var whole = await _rig.TranscodeAsync(input, name: "whole-codecs", outputs: outputs);
        var plan = whole.Plan;
        var output = Path.Combine(_rig.Folder, "chunked-codecs");
        var chunks = ChunkPlanner.Plan(plan, new ChunkingOptions { MinSourceSeconds = 1, ChunkSeconds = 4, FirstChunkSeconds = 4 });
        Assert.Equal(3, chunks.Length);
        using var package = LadderPackage.Joined(plan, Path.Combine(_rig.Folder, "codecs-audio"), output);
        var inits = new Dictionary<string, byte[]>();
        foreach (var chunk in chunks)
        {
            var folder = Path.Combine(_rig.Folder, $"codecs-chunk-{chunk.Index}");
            var encoded = await _rig.Encoder.EncodeChunkAsync(plan, chunk, input, folder, new Progress<double>(), CancellationToken.None);
            var cut = ChunkPackager.Cut(plan, chunk, folder, output, encoded).Output;
            if (chunk.Index == 0)
            {
                inits = package.JoinedIds.ToDictionary(id => id, id => File.ReadAllBytes(Path.Combine(output, PackageLayout.Init(id))));
            }

            package.Join(cut, inits);
        }

        await _rig.Encoder.EncodeAsync(plan with { Rungs = [], Thumbnails = null }, input, package, new Progress<double>(), CancellationToken.None);
        var title = package.Finish([]);

        foreach (var video in plan.Videos)
        {
            var playlist = PackageLayout.MediaPlaylist(video.Id);
            var joined = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(output, playlist)));
            var reference = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(whole.Output, playlist)));
            Assert.Equal(reference, joined);
            var file = await MediaRig.JoinRenditionAsync(output, video.Id, Path.Combine(_rig.Folder, $"codecs-{video.Id}.mp4"));
            Assert.Equal(300, await Pictures.CountAsync(file));
        }

        Assert.Equal(whole.Title.Renditions.Select(r => r.Codecs), title.Renditions.Select(r => r.Codecs));
    }

    [Fact]
    public async Task ChunksThatDoNotJoin_AreRefused()
    {
        var whole = PlanOf(TimeSpan.FromSeconds(12), new Rational(25, 1));
        var plan = whole with { Rungs = [whole.Rungs[^1]] };
        var encoded = await _rig.MakeAsync("span.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2", "-c:v", "libx264", "-preset", "ultrafast",
            "-g", "25", "-f", "mp4", "-movflags", FfmpegArguments.VideoFragments);
        using var segmenter = new Segmenter("v0", encoded, Path.Combine(_rig.Folder, "span"), i => i);
        Directory.CreateDirectory(Path.Combine(_rig.Folder, "span"));
        segmenter.Cut(final: true);
        var init = segmenter.Init!;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(init));
        ChunkOutput Chunk(int index, string initHash, int firstNumber, ulong start) =>
            new(index, [new ChunkRendition("v0", initHash, [new ChunkSegment(firstNumber, start, 12800, 1000), new ChunkSegment(firstNumber + 1, start + 12800, 12800, 1000)], 40, 0.98)], 50, 1);
        using var package = LadderPackage.Joined(plan, Path.Combine(_rig.Folder, "refused-audio"), Path.Combine(_rig.Folder, "refused"));
        var inits = new Dictionary<string, byte[]> { ["v0"] = init };

        Assert.Contains("stored initialization segment", Assert.Throws<MediaException>(() => package.Join(Chunk(0, "00", 1, 0), inits)).Message, StringComparison.Ordinal);
        package.Join(Chunk(0, hash, 1, 0), inits);
        Assert.Contains("another initialization segment", Assert.Throws<MediaException>(() => package.Join(Chunk(1, "00", 3, 25600))).Message, StringComparison.Ordinal);
        Assert.Contains("starts at segment 4", Assert.Throws<MediaException>(() => package.Join(Chunk(1, hash, 4, 25600))).Message, StringComparison.Ordinal);
        var gap = Assert.Throws<MediaException>(() => package.Join(Chunk(1, hash, 3, 25601)));
        Assert.Equal(MediaErrorKind.ChunksDiffer, gap.Kind);
        Assert.Contains("ends at 25600", gap.Message, StringComparison.Ordinal);
        Assert.Contains("cannot follow 1 chunks", Assert.Throws<MediaException>(() => package.Join(Chunk(2, hash, 3, 25600))).Message, StringComparison.Ordinal);
        package.Join(Chunk(1, hash, 3, 25600));
        Assert.Equal(2, package.JoinedChunks);
    }

    private static LadderPlan PlanOf(TimeSpan duration, Rational rate) => LadderPlanner.Plan(
        new SourceInfo
        {
            FormatName = "mov",
            Duration = duration,
            VideoStreams = [new VideoStreamInfo { Index = 0, Codec = "h264", Width = 1280, Height = 720, FrameRate = rate }],
        },
        MediaRig.Ladder);

    private static async Task<string> SizeAsync(string image) =>
        (await TestClips.RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", image])).Trim();

    public void Dispose() => _rig.Dispose();
}
