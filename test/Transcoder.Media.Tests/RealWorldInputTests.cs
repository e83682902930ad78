using Transcoder.Abstractions;
using Transcoder.Media.Packaging;

namespace Transcoder.Media.Tests;

/// <summary>What users actually upload, each made here with ffmpeg, through the whole media path.</summary>
public sealed class RealWorldInputTests : IDisposable
{
    private const string Tone = "sine=frequency=440:sample_rate=48000";
    private readonly MediaRig _rig = new();

    private static string[] Video(int width, int height, double seconds = 1, int rate = 30) =>
        ["-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={rate}", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    private static IEnumerable<(string, int, int)> Rungs(LadderPlan plan) => plan.Rungs.Select(r => (r.Name, r.Width, r.Height));

    [Fact]
    public async Task PortraitPhoneVideo_KeepsPortraitLadder()
    {
        var input = await _rig.MakeAsync("phone.mp4", [.. Video(1080, 1920), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);

        var (plan, _, output) = await _rig.TranscodeAsync(input);

        Assert.Equal([("1080p", 1080, 1920), ("720p", 720, 1280), ("480p", 480, 854), ("360p", 360, 640)], Rungs(plan));
        var top = await _rig.ProbeOutputAsync(output, "v0");
        Assert.Equal((1080, 1920), (top.Video!.Width, top.Video.Height));
    }

    [Fact]
    public async Task MovWithQuarterTurnDisplayMatrix_ComesOutUprightWithSwappedDimensions()
    {
        var coded = await _rig.MakeAsync("coded.mov", [.. Video(1280, 720), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);
        var input = await _rig.MakeAsync("rotated.mov", "-i", coded, "-c", "copy", "-metadata:s:v:0", "rotate=90");

        var (plan, _, output) = await _rig.TranscodeAsync(input);

        Assert.Equal(("720p", 720, 1280), Rungs(plan).First());
        var top = await _rig.ProbeOutputAsync(output, "v0");
        Assert.Equal((720, 1280, 0), (top.Video!.Width, top.Video.Height, top.Video.Rotation));
    }

    [Fact]
    public async Task OddSizeAnd4By3AndNonSquarePixels_KeepTheirShape()
    {
        var odd = await _rig.MakeAsync("odd.mp4", [.. Video(718, 402), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"]);
        var fourThree = await _rig.MakeAsync("43.mp4", [.. Video(640, 480), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);
        var anamorphic = await _rig.MakeAsync("pal.mp4", [.. Video(720, 576, rate: 25), "-vf", "setsar=16/15", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);

        var oddPlan = (await _rig.TranscodeAsync(odd)).Plan;
        var fourThreePlan = (await _rig.TranscodeAsync(fourThree)).Plan;
        var (anamorphicPlan, _, anamorphicOut) = await _rig.TranscodeAsync(anamorphic);

        Assert.Equal([("360p", 642, 360)], Rungs(oddPlan));
        Assert.Equal([("480p", 640, 480), ("360p", 480, 360)], Rungs(fourThreePlan));
        Assert.Equal([("576p", 768, 576), ("480p", 640, 480), ("360p", 480, 360)], Rungs(anamorphicPlan));
        var top = await _rig.ProbeOutputAsync(anamorphicOut, "v0");
        Assert.Equal(Rational.One, top.Video!.SampleAspectRatio);
    }

    [Theory]
    [InlineData("hevc10.mkv", "libx265", "yuv420p10le")]
    [InlineData("vp9.webm", "libvpx-vp9", "yuv420p")]
    [InlineData("mpeg2.mpg", "mpeg2video", "yuv420p")]
    [InlineData("prores.mov", "prores_ks", "yuv422p10le")]
    public async Task OtherCodecs_BecomeEightBit420H264(string name, string codec, string pixelFormat)
    {
        string[] audio = name.EndsWith(".webm", StringComparison.Ordinal) ? ["-c:a", "libopus"] : name.EndsWith(".mpg", StringComparison.Ordinal) ? ["-c:a", "mp2"] : ["-c:a", "aac"];
        string[] speed = codec switch
        {
            "libx265" => ["-preset", "ultrafast", "-x265-params", "log-level=error"],
            "libvpx-vp9" => ["-deadline", "realtime", "-cpu-used", "8"],
            _ => [],
        };
        var input = await _rig.MakeAsync(name, [.. Video(426, 240), "-f", "lavfi", "-i", Tone, "-t", "1", "-c:v", codec, .. speed, "-pix_fmt", pixelFormat, .. audio]);

        var (_, ladder, output) = await _rig.TranscodeAsync(input);

        var top = await _rig.ProbeOutputAsync(output, "v0");
        Assert.Equal("h264", top.Video!.Codec);
        Assert.Equal("yuv420p", top.Video.PixelFormat);
        Assert.Matches("^avc1\\.[0-9a-f]{6}$", ladder.Renditions[0].Codecs);
        Assert.Equal("mp4a.40.2", ladder.Renditions.Single(r => r.Kind == RenditionKind.Audio).Codecs);
    }

    [Fact]
    public async Task VariableFrameRate_BecomesConstant()
    {
        var input = await _rig.MakeAsync("vfr.mkv", [.. Video(320, 240, seconds: 3), "-vf", "select='if(lt(t,1),1,not(mod(n,3)))'", "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast"]);

        var (plan, _, output) = await _rig.TranscodeAsync(input);

        var joined = Path.Combine(output, "joined-v0.mp4");
        await _rig.ProbeOutputAsync(output, "v0");
        Assert.Equal(await MediaRig.StreamEntryAsync(joined, "v:0", "r_frame_rate"), await MediaRig.StreamEntryAsync(joined, "v:0", "avg_frame_rate"));
        Assert.True(plan.FrameRate.IsPositive);
    }

    [Fact]
    public async Task InterlacedSource_IsDeinterlaced()
    {
        var input = await _rig.MakeAsync("interlaced.ts", [.. Video(720, 576, rate: 50), "-vf", "tinterlace=interleave_top,fieldorder=tff", "-c:v", "libx264", "-preset", "ultrafast", "-flags", "+ildct+ilme", "-x264-params", "tff=1", "-pix_fmt", "yuv420p"]);

        var (plan, _, output) = await _rig.TranscodeAsync(input);

        Assert.True(plan.Deinterlace);
        await _rig.ProbeOutputAsync(output, "v0");
        Assert.Equal("progressive", await MediaRig.StreamEntryAsync(Path.Combine(output, "joined-v0.mp4"), "v:0", "field_order"));
    }

    [Fact]
    public async Task HighFrameRate_IsKeptAtMost60()
    {
        var input = await _rig.MakeAsync("hfr.mp4", [.. Video(320, 240, rate: 120), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);

        var (plan, ladder, _) = await _rig.TranscodeAsync(input);

        Assert.Equal(new Rational(60, 1), plan.FrameRate);
        Assert.Equal(60, ladder.Renditions[0].FrameRate);
    }

    [Fact]
    public async Task NoAudioTrack_GivesVideoOnlyPackage()
    {
        var input = await _rig.MakeAsync("mute.mp4", [.. Video(320, 240), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);

        var (_, ladder, output) = await _rig.TranscodeAsync(input);

        Assert.All(ladder.Renditions, r => Assert.Equal(RenditionKind.Video, r.Kind));
        var master = await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.HlsMaster));
        Assert.DoesNotContain("TYPE=AUDIO", master, StringComparison.Ordinal);
        Assert.DoesNotContain("mp4a", master, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AudioOnlyInput_GivesAudioOnlyPackage()
    {
        var input = await _rig.MakeAsync("podcast.m4a", "-f", "lavfi", "-i", Tone, "-t", "3", "-c:a", "aac");

        var (plan, ladder, output) = await _rig.TranscodeAsync(input);

        Assert.Empty(plan.Rungs);
        var only = Assert.Single(ladder.Renditions);
        Assert.Equal((RenditionKind.Audio, "Audio", "und", "mp4a.40.2", 2), (only.Kind, only.Name, only.Language, only.Codecs, only.Channels));
        Assert.InRange(ladder.DurationSeconds, 2.5, 3.5);
        Assert.Contains("\nmedia_a0.m3u8\n", await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.HlsMaster)), StringComparison.Ordinal);
        Assert.Null(ladder.Poster);
    }

    [Fact]
    public async Task SurroundAudio_IsDownmixedToStereo()
    {
        var input = await _rig.MakeAsync("surround.mkv", [.. Video(320, 240), "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "1", "-filter:a", "aformat=channel_layouts=5.1", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "ac3"]);

        var (_, ladder, output) = await _rig.TranscodeAsync(input);

        Assert.Equal("2", await MediaRig.StreamEntryAsync(Path.Combine(output, "init-a0.m4s"), "a:0", "channels"));
        Assert.Equal(2, ladder.Renditions.Single(r => r.Kind == RenditionKind.Audio).Channels);
    }

    [Fact]
    public async Task SeveralAudioTracks_EachBecomesARendition_TheSourceDefaultChosen()
    {
        var input = await _rig.MakeAsync("dual.mkv", [.. Video(320, 240), "-f", "lavfi", "-i", Tone, "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "1",
            "-map", "0:v", "-map", "1:a", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
            "-disposition:a:0", "0", "-disposition:a:1", "default"]);

        var (plan, ladder, _) = await _rig.TranscodeAsync(input);

        Assert.Equal([1, 2], plan.AudioTracks.Select(a => a.StreamIndex));
        var audio = ladder.Renditions.Where(r => r.Kind == RenditionKind.Audio).ToList();
        Assert.Equal(2, audio.Count);
        Assert.Equal(2, plan.AudioTracks.Single(a => a.Default).StreamIndex);
        Assert.Equal([false, true], audio.Select(a => a.Default));
    }

    [Fact]
    public async Task Source2160p_GetsAllFiveRungs()
    {
        var input = await _rig.MakeAsync("uhd.mp4", [.. Video(3840, 2160, seconds: 0.5), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);

        var (plan, ladder, _) = await _rig.TranscodeAsync(input);

        Assert.Equal(["2160p", "1080p", "720p", "480p", "360p"], plan.Rungs.Select(r => r.Name));
        Assert.Equal(5, ladder.Renditions.Count(r => r.Kind == RenditionKind.Video));
    }

    public void Dispose() => _rig.Dispose();
}
