using System.Globalization;
using System.Xml.Linq;
using Transcoder.Abstractions;
using Transcoder.Media.Packaging;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

/// <summary>The real ffmpeg and the packager on small generated clips.</summary>
public sealed class LadderEncoderTests : IDisposable
{
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";
    private readonly MediaRig _rig = new();

    [Fact]
    public async Task Encode_SmallLandscapeClip_ProducesTypedRenditionsWithMeasuredBandwidth()
    {
        var input = await TestClips.VideoAsync(_rig.Folder, 640, 360, 7);
        var reports = new List<double>();

        var (plan, title, encoded, output) = await TranscodeAsync(input, new SyncProgress(reports.Add));

        Assert.Single(plan.Rungs);
        var video = Assert.Single(title.Renditions, r => r.Kind == RenditionKind.Video);
        var audio = Assert.Single(title.Renditions, r => r.Kind == RenditionKind.Audio);
        Assert.Equal((640, 360, 30.0), (video.Width, video.Height, video.FrameRate));
        Assert.Matches("^avc1\\.[0-9a-f]{6}$", video.Codecs);
        Assert.Equal(("mp4a.40.2", 2), (audio.Codecs, audio.Channels));
        Assert.All(title.Renditions, r =>
        {
            Assert.True(r.Bandwidth >= r.AverageBandwidth, $"{r.Name}: peak {r.Bandwidth} under the average {r.AverageBandwidth}");
            Assert.Equal(SizeOf(output, r), r.SizeBytes);
        });
        Assert.InRange(title.DurationSeconds, 6.5, 7.5);
        Assert.True(encoded.CpuSeconds > 0, "ffmpeg's own CPU time was not read");
        Assert.InRange(video.Psnr!.Value, 30, 100);

        // Progress came from ffmpeg's progress pipe as it went, not only at the end.
        Assert.Contains(reports, p => p is > 0.05 and < 0.95);
        Assert.Equal(reports.Order(), reports);

        var master = await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.HlsMaster));
        Assert.Contains($"BANDWIDTH={video.Bandwidth + audio.Bandwidth},AVERAGE-BANDWIDTH={video.AverageBandwidth + audio.AverageBandwidth}", master, StringComparison.Ordinal);
        Assert.Contains($"CODECS=\"{video.Codecs},{audio.Codecs}\",RESOLUTION=640x360,FRAME-RATE=30.000,AUDIO=\"aac\"", master, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"Audio\",LANGUAGE=\"und\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"media_a0.m3u8\"", master, StringComparison.Ordinal);

        // Poster and storyboard came out of the same run: a 7 s clip gets 7 thumbnails, one a second.
        Assert.Equal(PackageLayout.Poster, title.Poster);
        Assert.Equal("640,360", await MediaRig.StreamEntryAsync(Path.Combine(output, PackageLayout.Poster), "v:0", "width,height"));
        Assert.Equal("1120,90", await MediaRig.StreamEntryAsync(Path.Combine(output, PackageLayout.StoryboardImage), "v:0", "width,height"));
        var track = await File.ReadAllLinesAsync(Path.Combine(output, title.StoryboardTrack!));
        Assert.Equal("WEBVTT", track[0]);
        Assert.Equal(7, track.Count(l => l.Contains("-->", StringComparison.Ordinal)));
        Assert.Contains("00:00:06.000 --> 00:00:07.000", track);
        Assert.Contains("storyboard.jpg#xywh=960,0,160,90", track);

        // The finished playlists are VOD and ended.
        foreach (var rendition in title.Renditions)
        {
            var playlist = await File.ReadAllTextAsync(Path.Combine(output, rendition.PlaylistUrl));
            Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD\n", playlist, StringComparison.Ordinal);
            Assert.EndsWith("#EXT-X-ENDLIST\n", playlist, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Encode_TwoRungClip_SegmentsStartAtTheSameInstantsInEveryRungAndInBothManifests()
    {
        var input = await TestClips.VideoAsync(_rig.Folder, 854, 480, 13, audio: false);

        var (plan, title, _, output) = await TranscodeAsync(input);

        Assert.Equal(["480p", "360p"], plan.Rungs.Select(r => r.Name));
        var durations = title.Renditions
            .Select(r => HlsPlaylists.ReadSegments(File.ReadAllText(Path.Combine(output, r.PlaylistUrl))).Select(s => Math.Round(s.Duration, 3)).ToList())
            .ToList();
        Assert.Equal(durations[0], durations[1]);
        Assert.Equal([1.0, 1, 2, 2, 2, 2, 2, 1], durations[0]);
        Assert.DoesNotContain(title.Renditions, r => r.Kind == RenditionKind.Audio);

        // The MPD's timeline lists the same segments, at the same times.
        var manifest = XDocument.Load(Path.Combine(output, PackageLayout.DashManifest));
        Assert.Equal("static", manifest.Root!.Attribute("type")!.Value);
        var representations = manifest.Descendants(Mpd + "Representation").ToList();
        Assert.Equal(["v0", "v1"], representations.Select(r => r.Attribute("id")!.Value));
        foreach (var representation in representations)
        {
            var template = representation.Element(Mpd + "SegmentTemplate")!;
            var timescale = double.Parse(template.Attribute("timescale")!.Value, CultureInfo.InvariantCulture);
            Assert.Equal(durations[0], Expand(template).Select(d => Math.Round(d / timescale, 3)));
        }
    }

    [Fact]
    public async Task Package_WhileTheEncoderWrites_PublishesOnlyWholeSegmentsAndTheSameOnesAsAtTheEnd()
    {
        var input = await TestClips.VideoAsync(_rig.Folder, 640, 360, 12);
        var source = await _rig.Probe.ProbeAsync(input, CancellationToken.None);
        var plan = LadderPlanner.Plan(source, MediaRig.Ladder);
        using var package = _rig.PackageFor(plan, "live");
        var cut = new List<string>();
        LiveDocuments? early = null;

        var encoding = _rig.Encoder.EncodeAsync(plan, input, package, new Progress<double>(), CancellationToken.None);
        while (!encoding.IsCompleted)
        {
            cut.AddRange(package.Cut());
            if (early is null && package.Playable)
            {
                early = package.Live(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
            }

            await Task.WhenAny(encoding, Task.Delay(50, CancellationToken.None));
        }

        var encoded = await encoding;
        var bytesBefore = cut.ToDictionary(name => name, name => File.ReadAllBytes(Path.Combine(package.Folder, name)), StringComparer.Ordinal);
        var title = package.Finish(encoded.Quality);

        Assert.NotEmpty(cut);
        Assert.NotNull(early);
        Assert.All(early.MediaPlaylists.Values, p => Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT", p, StringComparison.Ordinal));
        Assert.All(early.MediaPlaylists.Values, p => Assert.DoesNotContain("#EXT-X-ENDLIST", p, StringComparison.Ordinal));
        Assert.Equal("dynamic", XDocument.Parse(early.DashManifest!).Root!.Attribute("type")!.Value);

        // What was cut while encoding is unchanged at the end, and each segment was whole when cut.
        Assert.All(bytesBefore, pair => Assert.Equal(pair.Value, File.ReadAllBytes(Path.Combine(package.Folder, pair.Key))));
        var joined = await MediaRig.JoinRenditionAsync(package.Folder, "v0", Path.Combine(_rig.Folder, "live-v0.mp4"));
        var packets = await TestClips.RunAsync("ffprobe", ["-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", joined]);
        Assert.Equal(360, int.Parse(packets.Trim(), CultureInfo.InvariantCulture));

        // The early master never understates a rendition's peak.
        var earlyPeak = long.Parse(early.HlsMaster!.Split("BANDWIDTH=")[1].Split(',')[0], CultureInfo.InvariantCulture);
        var video = title.Renditions.First(r => r.Kind == RenditionKind.Video);
        var audio = title.Renditions.First(r => r.Kind == RenditionKind.Audio);
        Assert.True(earlyPeak >= video.Bandwidth + audio.Bandwidth, $"early BANDWIDTH {earlyPeak} under the measured peak {video.Bandwidth + audio.Bandwidth}");
    }

    [Fact]
    public async Task Encode_AudioSegments_FollowTheVideoGridWithinAFrame()
    {
        var input = await TestClips.VideoAsync(_rig.Folder, 320, 240, 9);

        var (_, title, _, output) = await TranscodeAsync(input);

        var video = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(output, title.Renditions[0].PlaylistUrl)));
        var audio = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(output, title.Renditions.Single(r => r.Kind == RenditionKind.Audio).PlaylistUrl)));
        Assert.Equal(video.Count, audio.Count);
        // Segment for segment the two end together: at most the encoder's priming plus a frame apart.
        var videoEnd = 0.0;
        var audioEnd = 0.0;
        foreach (var (v, a) in video.Zip(audio).SkipLast(1))
        {
            videoEnd += v.Duration;
            audioEnd += a.Duration;
            Assert.InRange(audioEnd - videoEnd, 0, 2 * 1024.0 / 48000);
        }
    }

    [Fact]
    public async Task Probe_TextFileRenamedMp4_FailsAsUnreadable()
    {
        var path = Path.Combine(_rig.Folder, "notes.mp4");
        await File.WriteAllTextAsync(path, "this is not a video");

        var ex = await Assert.ThrowsAsync<MediaException>(() => _rig.Probe.ProbeAsync(path, CancellationToken.None));

        Assert.Equal(MediaErrorKind.InputUnreadable, ex.Kind);
        Assert.True(ex.IsPermanent);
    }

    [Fact]
    public async Task Probe_EmptyFile_FailsAsUnreadable()
    {
        var path = Path.Combine(_rig.Folder, "empty.mp4");
        await File.WriteAllBytesAsync(path, []);

        var ex = await Assert.ThrowsAsync<MediaException>(() => _rig.Probe.ProbeAsync(path, CancellationToken.None));
        Assert.Equal(MediaErrorKind.InputUnreadable, ex.Kind);
    }

    public void Dispose() => _rig.Dispose();

    private Task<Transcoded> TranscodeAsync(string input, IProgress<double>? progress = null) =>
        _rig.TranscodeAsync(input, progress: progress);

    private static long SizeOf(string output, Rendition rendition)
    {
        var playlist = File.ReadAllText(Path.Combine(output, rendition.PlaylistUrl));
        return HlsPlaylists.ReadSegments(playlist).Select(s => s.Uri).Prepend(HlsPlaylists.ReadInitSegment(playlist)!)
            .Sum(name => new FileInfo(Path.Combine(output, name)).Length);
    }

    /// <summary>The durations a SegmentTimeline lists, with each S element's repeats written out.</summary>
    private static IEnumerable<double> Expand(XElement template) =>
        template.Descendants(Mpd + "S").SelectMany(s => Enumerable.Repeat(
            double.Parse(s.Attribute("d")!.Value, CultureInfo.InvariantCulture),
            1 + ((int?)s.Attribute("r") ?? 0)));

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
