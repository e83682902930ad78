using System.Globalization;
using Transcoder.Abstractions;
using Transcoder.Media.Packaging;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

/// <summary>What a job chooses of its package beside the codecs: a clip, rungs, downloads, stills and the poster.</summary>
public sealed class OutputTests : IDisposable
{
    private readonly MediaRig _rig = new();

    [Fact]
    public async Task Clip_StartsOnTheAskedFrame_HoldsExactlyItsFrames_AndItsAudioSpan()
    {
        var input = await TestClips.VideoAsync(_rig.Folder, 640, 360, 6);
        var outputs = new OutputOptions { Clip = new ClipRange(1.5, 4), Renditions = [new(360)] };

        var (plan, title, output) = await _rig.TranscodeAsync(input, outputs: outputs);

        Assert.Equal(2.5, plan.Duration.TotalSeconds);
        var video = await MediaRig.JoinRenditionAsync(output, "v0", Path.Combine(_rig.Folder, "clip-v0.mp4"));
        Assert.Equal(75, await Pictures.CountAsync(video));
        Assert.Equal(2.5, title.DurationSeconds, 0.001);

        // Its first frame is the source's frame at 1.5 s (testsrc2 changes every frame): closer to it than to the next.
        var first = await Pictures.FrameAtAsync(video, 0, Path.Combine(_rig.Folder, "clip-first.png"));
        var at = await Pictures.PsnrAsync(await Pictures.FrameAtAsync(input, 1.5, Path.Combine(_rig.Folder, "source-1.5.png")), first);
        var next = await Pictures.PsnrAsync(await Pictures.FrameAtAsync(input, 1.5 + (1 / 30.0), Path.Combine(_rig.Folder, "source-next.png")), first);
        Assert.True(at > 30 && at > next + 5, $"PSNR against the frame at 1.5 s {at:0.0} dB, against the next {next:0.0} dB");

        // Its audio is the span's: cut at the clip's first sample, and as long as the clip but for the last AAC frame's padding.
        var audio = title.Renditions.Single(r => r.Kind == RenditionKind.Audio);
        var seconds = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(output, audio.PlaylistUrl))).Sum(s => s.Duration);
        Assert.InRange(seconds, 2.5, 2.5 + (1024 / 48000.0) + 0.0001);
    }

    [Fact]
    public async Task Downloads_AreFaststartFilesThatPlay_TheMp4OfTheChosenRung_TheM4aOfTheAudio()
    {
        var input = await TestClips.VideoAsync(_rig.Folder, 640, 360, 2);
        var outputs = new OutputOptions
        {
            Renditions = [new(360), new(180)],
            Downloads = [new DownloadRequest(DownloadFormat.Mp4), new DownloadRequest(DownloadFormat.Mp4, 180), new DownloadRequest(DownloadFormat.M4a)],
        };

        var transcoded = await _rig.TranscodeAsync(input, outputs: outputs);

        var made = transcoded.Extras!.Downloads;
        Assert.Equal(["download-360p.mp4", "download-180p.mp4", "download-audio.m4a"], made.Select(d => d.File));
        foreach (var download in made)
        {
            var path = Path.Combine(transcoded.Output, download.File);
            Assert.Equal(new FileInfo(path).Length, download.SizeBytes);

            // Faststart: the index (moov) before the media (mdat), so it plays while it downloads.
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.True(Mp4Files.IsFaststart(bytes), string.Join(",", Mp4Files.TopLevelBoxes(bytes)));
            var streams = (await TestClips.RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,height", "-of", "csv=p=0", path])).Trim().Split('\n');
            if (download.Format == DownloadFormat.Mp4)
            {
                Assert.Equal([$"h264,{download.Height}", "aac"], streams.Select(s => s.Trim().TrimEnd(',')));
                Assert.Equal(60, await Pictures.CountAsync(path));
                Assert.Matches(@"^avc1\.[0-9a-f]{6},mp4a\.40\.2$", download.Codecs);
            }
            else
            {
                Assert.Equal(["aac"], streams.Select(s => s.Trim().TrimEnd(',')));
            }

            var duration = double.Parse((await TestClips.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path])).Trim(), CultureInfo.InvariantCulture);
            Assert.Equal(2, duration, 0.05);
        }
    }

    [Theory]
    [InlineData(StillFormat.Jpeg, "mjpeg")]
    [InlineData(StillFormat.Webp, "webp")]
    public async Task Stills_AtTheAskedTimes_AreTheSourcesFrames_AndThePosterIsAtItsTime(StillFormat format, string codec)
    {
        var input = await TestClips.VideoAsync(_rig.Folder, 640, 360, 3);
        double[] times = [0.5, 2.2];
        var outputs = new OutputOptions { Thumbnails = new ThumbnailRequest { Times = [.. times], Width = 320, Format = format }, PosterSeconds = 1.4 };

        var transcoded = await _rig.TranscodeAsync(input, outputs: outputs);

        var stills = transcoded.Extras!.Stills;
        Assert.Equal(times, stills.Select(s => s.Seconds));
        for (var i = 0; i < times.Length; i++)
        {
            var still = Path.Combine(transcoded.Output, stills[i].File);
            Assert.Equal((320, 180), (stills[i].Width, stills[i].Height));
            Assert.Equal(codec, await MediaRig.StreamEntryAsync(still, "v:0", "codec_name"));
            var at = await Pictures.PsnrAsync(await Pictures.FrameAtAsync(input, times[i], Path.Combine(_rig.Folder, $"at-{i}.png"), "320:180"), still);
            var off = await Pictures.PsnrAsync(await Pictures.FrameAtAsync(input, times[i] + 0.1, Path.Combine(_rig.Folder, $"off-{i}.png"), "320:180"), still);
            Assert.True(at > 30 && at > off + 5, $"still {i}: {at:0.0} dB against its frame, {off:0.0} dB against one 0.1 s later");
        }

        // The poster is the frame shown at 1.4 s (the frame whose interval holds it).
        var poster = Path.Combine(transcoded.Output, PackageLayout.Poster);
        var posterSize = (await MediaRig.StreamEntryAsync(poster, "v:0", "width")) + ":" + (await MediaRig.StreamEntryAsync(poster, "v:0", "height"));
        var reference = await Pictures.FrameAtAsync(input, 42 / 30.0, Path.Combine(_rig.Folder, "poster-ref.png"), posterSize);
        Assert.True(await Pictures.PsnrAsync(reference, poster) > 30);
    }

    public void Dispose() => _rig.Dispose();
}
