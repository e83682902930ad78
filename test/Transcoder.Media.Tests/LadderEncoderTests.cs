using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

/// <summary>Runs the real ffmpeg on small generated clips.</summary>
public sealed class LadderEncoderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"ladder-tests-{Guid.NewGuid():N}");

    public LadderEncoderTests() => Directory.CreateDirectory(_folder);

    private static MediaOptions Media(string scratch) => new() { ScratchRoot = scratch };

    private async Task<(LadderPlan Plan, PackagedLadder Ladder, string Output)> EncodeAsync(string input)
    {
        var options = Options.Create(Media(_folder));
        var source = await new MediaProbe(options, Options.Create(new InputLimits())).ProbeAsync(input, CancellationToken.None);
        var plan = LadderPlanner.Plan(source, new LadderOptions { Preset = "ultrafast" });
        var output = Path.Combine(_folder, "out-" + Path.GetFileNameWithoutExtension(input));
        var reports = new List<double>();
        var ladder = await new LadderEncoder(new FfmpegProcess(options, NullLogger<FfmpegProcess>.Instance), options, Options.Create(new InputLimits()))
            .EncodeAsync(plan, input, output, new Progress<double>(reports.Add), CancellationToken.None);
        return (plan, ladder, output);
    }

    [Fact]
    public async Task Encode_SmallLandscapeClip_ProducesAlignedLadderWithMeasuredBandwidth()
    {
        var input = await TestClips.VideoAsync(_folder, 640, 360, 7);

        var (plan, ladder, output) = await EncodeAsync(input);

        Assert.Single(plan.Rungs);
        var rendition = Assert.Single(ladder.Renditions);
        Assert.Equal((640, 360), (rendition.Width, rendition.Height));
        Assert.Matches("^avc1\\.[0-9a-f]{6},", rendition.Codecs);
        Assert.EndsWith(",mp4a.40.2", rendition.Codecs, StringComparison.Ordinal);
        Assert.True(rendition.Bandwidth >= rendition.AverageBandwidth);
        Assert.InRange(ladder.DurationSeconds, 6.5, 7.5);
        Assert.True(ladder.CpuSeconds > 0, "ffmpeg's own CPU time was not read");

        var master = await File.ReadAllTextAsync(Path.Combine(output, LadderLayout.HlsMaster));
        Assert.Contains("AVERAGE-BANDWIDTH=", master, StringComparison.Ordinal);
        Assert.Contains("FRAME-RATE=30.000", master, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, LadderLayout.DashManifest)));

        // Poster and storyboard came out of the same run: a 7 s clip gets 7 thumbnails, one a second.
        Assert.Equal(LadderLayout.Poster, ladder.Poster);
        Assert.Equal("640,360", await MediaRig.StreamEntryAsync(Path.Combine(output, LadderLayout.Poster), "v:0", "width,height"));
        Assert.Equal("1120,90", await MediaRig.StreamEntryAsync(Path.Combine(output, LadderLayout.StoryboardImage), "v:0", "width,height"));
        var track = await File.ReadAllLinesAsync(Path.Combine(output, ladder.StoryboardTrack!));
        Assert.Equal("WEBVTT", track[0]);
        Assert.Equal(7, track.Count(l => l.Contains("-->", StringComparison.Ordinal)));
        Assert.Contains("00:00:06.000 --> 00:00:07.000", track);
        Assert.Contains("storyboard.jpg#xywh=960,0,160,90", track);

        // The master published before the end bounds the peak the final one measured.
        var early = LadderPackager.EarlyMaster(output, plan)!;
        var bound = long.Parse(early.Split("BANDWIDTH=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(bound >= rendition.Bandwidth, $"early BANDWIDTH {bound} under the measured peak {rendition.Bandwidth}");
        Assert.Contains("#EXT-X-ENDLIST", await File.ReadAllTextAsync(Path.Combine(output, rendition.Playlist)), StringComparison.Ordinal);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT", await File.ReadAllTextAsync(Path.Combine(output, rendition.Playlist)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Encode_TwoRungClip_SegmentsStartAtTheSameInstantsInEveryRung()
    {
        var input = await TestClips.VideoAsync(_folder, 854, 480, 13, audio: false);

        var (plan, ladder, output) = await EncodeAsync(input);

        Assert.Equal(["480p", "360p"], plan.Rungs.Select(r => r.Name));
        var boundaries = ladder.Renditions
            .Select(r => HlsPlaylist.ReadSegments(File.ReadAllText(Path.Combine(output, r.Playlist))).Select(s => s.Duration).ToList())
            .ToList();
        Assert.Equal(boundaries[0], boundaries[1]);
        Assert.Equal([1.0, 1, 2, 2, 2, 2, 2, 1], boundaries[0].Select(d => Math.Round(d, 2)));
        Assert.Null(ladder.AudioPlaylist);
    }

    [Fact]
    public async Task Probe_TextFileRenamedMp4_FailsAsUnreadable()
    {
        var path = Path.Combine(_folder, "notes.mp4");
        await File.WriteAllTextAsync(path, "this is not a video");

        var ex = await Assert.ThrowsAsync<MediaException>(() => new MediaProbe(Options.Create(Media(_folder)), Options.Create(new InputLimits())).ProbeAsync(path, CancellationToken.None));

        Assert.Equal(MediaErrorKind.InputUnreadable, ex.Kind);
        Assert.True(ex.IsPermanent);
    }

    [Fact]
    public async Task Probe_EmptyFile_FailsAsUnreadable()
    {
        var path = Path.Combine(_folder, "empty.mp4");
        await File.WriteAllBytesAsync(path, []);

        var ex = await Assert.ThrowsAsync<MediaException>(() => new MediaProbe(Options.Create(Media(_folder)), Options.Create(new InputLimits())).ProbeAsync(path, CancellationToken.None));
        Assert.Equal(MediaErrorKind.InputUnreadable, ex.Kind);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
