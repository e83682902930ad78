using Transcoder.Abstractions;

namespace Transcoder.Media.Tests;

public class LadderPlannerTests
{
    private static readonly LadderOptions Options = new();

    private static IEnumerable<(string Name, int Width, int Height)> Rungs(string fixture) =>
        LadderPlanner.Plan(Fixture.Probe(fixture), Options).Rungs.Select(r => (r.Name, r.Width, r.Height));

    [Fact]
    public void Plan_1080pSource_DropsOnly2160p()
    {
        Assert.Equal(
            [("1080p", 1920, 1080), ("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)],
            Rungs("landscape-1080p"));
    }

    [Fact]
    public void Plan_PortraitSource_NamesRungsByShortSide()
    {
        Assert.Equal([("720p", 720, 1280), ("480p", 480, 854), ("360p", 360, 640)], Rungs("portrait"));
    }

    [Fact]
    public void Plan_RotatedSource_IsUprightWithSwappedDimensions()
    {
        Assert.Equal([("720p", 720, 1280), ("480p", 480, 854), ("360p", 360, 640)], Rungs("rotated"));
    }

    [Fact]
    public void Plan_AnamorphicSource_HonoursDisplayAspect()
    {
        // 720x576 at SAR 16:15 displays as 768x576 (4:3).
        var plan = LadderPlanner.Plan(Fixture.Probe("anamorphic"), Options);
        Assert.Equal(new Rational(4, 3), plan.DisplayAspect);
        Assert.Equal(("576p", 768, 576), (plan.Rungs[0].Name, plan.Rungs[0].Width, plan.Rungs[0].Height));
        Assert.All(plan.Rungs, r => Assert.InRange((double)r.Width / r.Height, 4.0 / 3 - 0.01, 4.0 / 3 + 0.01));
    }

    [Fact]
    public void Plan_SourceUnder360p_GetsOneRungAtItsOwnSize()
    {
        Assert.Equal([("240p", 320, 240)], Rungs("small"));
    }

    [Fact]
    public void Plan_OddSizedSource_KeepsEvenDimensionsNoLargerThanSource()
    {
        var rungs = LadderPlanner.Plan(Fixture.Probe("odd"), Options).Rungs;

        Assert.Equal("1078p", rungs[0].Name);
        Assert.All(rungs, r =>
        {
            Assert.Equal(0, r.Width % 2);
            Assert.Equal(0, r.Height % 2);
            Assert.True(r.Width <= 1918 && r.Height <= 1078);
        });
    }

    [Fact]
    public void Plan_AudioOnly_HasNoVideoRungs()
    {
        var plan = LadderPlanner.Plan(Fixture.Probe("audio"), Options);

        Assert.Empty(plan.Rungs);
        Assert.Single(plan.AudioTracks);
    }

    [Fact]
    public void Plan_TracksBeyondTheCap_FailAsTooManyTracks_AndRolesAndUntaggedLanguagesAreKept()
    {
        AudioStreamInfo Stream(int index, string? language = null, bool description = false, bool commentary = false) =>
            new() { Index = index, Codec = "aac", Channels = 2, SampleRate = 48_000, Language = language, Description = description, Commentary = commentary };
        var video = new VideoStreamInfo { Index = 0, Codec = "h264", Width = 640, Height = 360, FrameRate = new Rational(25, 1) };
        var many = new SourceInfo { FormatName = "matroska", Duration = TimeSpan.FromSeconds(5), VideoStreams = [video], AudioStreams = [.. Enumerable.Range(1, 17).Select(i => Stream(i, "eng"))] };

        var tooMany = Assert.Throws<MediaException>(() => LadderPlanner.Plan(many, Options));
        Assert.Equal(MediaErrorKind.TooManyTracks, tooMany.Kind);
        Assert.Equal(16, LadderPlanner.Plan(many with { AudioStreams = many.AudioStreams.Take(16).ToList() }, Options).AudioTracks.Length);

        var roles = LadderPlanner.Plan(many with { AudioStreams = [Stream(1, "eng"), Stream(2, "eng", description: true), Stream(3, "eng", commentary: true), Stream(4), Stream(5)] }, Options);
        Assert.Equal(["English", "English (audio description)", "English (commentary)", "Audio", "Audio 2"], roles.AudioTracks.Select(a => a.Name));
        Assert.Equal([null, Rendition.Roles.Description, Rendition.Roles.Commentary, null, null], roles.AudioTracks.Select(a => a.Role));
        Assert.Equal(["en", "en", "en", "und", "und"], roles.AudioTracks.Select(a => a.Language));
        Assert.Single(roles.AudioTracks, a => a.Default);
    }

    [Fact]
    public void Plan_NoStreams_ThrowsNoVideoOrAudio()
    {
        var ex = Assert.Throws<MediaException>(() => LadderPlanner.Plan(new SourceInfo { FormatName = "x" }, Options));
        Assert.Equal(MediaErrorKind.NoVideoOrAudio, ex.Kind);
    }

    [Fact]
    public void Plan_NeverUpscales_NoRungExceedsSourceInEitherDimension()
    {
        foreach (var fixture in new[] { "landscape-1080p", "portrait", "rotated", "anamorphic", "small", "odd" })
        {
            var video = Fixture.Probe(fixture).Video!;
            Assert.All(LadderPlanner.Plan(Fixture.Probe(fixture), Options).Rungs, r =>
            {
                Assert.True(r.Width <= Math.Ceiling(video.DisplayWidth), $"{fixture} {r.Name} width {r.Width}");
                Assert.True(r.Height <= Math.Ceiling(video.DisplayHeight), $"{fixture} {r.Name} height {r.Height}");
            });
        }
    }

    [Theory]
    [InlineData(10, 1, 10, 10, 1)]
    [InlineData(1000, 10, 100, 10, 10)]
    [InlineData(0.5, 1, 1, 1, 1)]
    public void PlanThumbnails_SpreadsAtMostAHundredAtLeastASecondApart(double seconds, double interval, int count, int columns, int rows)
    {
        var top = new PlannedRung("1080p", 1920, 1080, 0, 0, 0);

        var plan = LadderPlanner.PlanThumbnails(top, new Rational(30, 1), TimeSpan.FromSeconds(seconds), new LadderOptions());

        Assert.Equal((interval, count, columns, rows), (plan.IntervalSeconds, plan.Count, plan.Columns, plan.Rows));
        Assert.Equal((160, 90), (plan.Width, plan.Height));
        Assert.Equal((1280, 720), (plan.PosterWidth, plan.PosterHeight));
    }

    [Theory]
    [InlineData(30, 1, 30, 1)]
    [InlineData(30000, 1001, 30000, 1001)]
    [InlineData(120, 1, 60, 1)]
    [InlineData(240, 1, 60, 1)]
    [InlineData(0, 0, 30, 1)]
    public void PlanFrameRate_KeepsAtMost60(long num, long den, long expectedNum, long expectedDen) =>
        Assert.Equal(new Rational(expectedNum, expectedDen), LadderPlanner.PlanFrameRate(new Rational(num, den), 60));

    [Fact]
    public void Plan_MaxHeight_CapsTheLadder_WithoutAnUpscaleOrANativeRungAboveIt()
    {
        var plan = LadderPlanner.Plan(Fixture.Probe("landscape-1080p"), Options, outputs: new OutputOptions { MaxHeight = 720 });

        Assert.Equal([("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)], plan.Rungs.Select(r => (r.Name, r.Width, r.Height)));
    }

    [Fact]
    public void Plan_MaxHeightUnderEveryRung_GivesOneRungAtTheCap()
    {
        var plan = LadderPlanner.Plan(Fixture.Probe("landscape-1080p"), Options, outputs: new OutputOptions { MaxHeight = 240 });

        Assert.Equal([("240p", 426, 240)], plan.Rungs.Select(r => (r.Name, r.Width, r.Height)));
    }

    [Fact]
    public void Plan_AskedRenditions_AreTheLadder_WithTheirPeakRates_AndTheSourcesAspect()
    {
        var plan = LadderPlanner.Plan(Fixture.Probe("portrait"), Options,
            outputs: new OutputOptions { Renditions = [new(540, 2000), new(270)] });

        Assert.Equal([("540p", 540, 960), ("270p", 270, 480)], plan.Rungs.Select(r => (r.Name, r.Width, r.Height)));
        Assert.Equal(2_000_000, plan.Rungs[0].MaxRate);

        // Without a rate: the ladder's 360p rates scaled by pixels.
        Assert.Equal((long)(1_200_000 * (270.0 * 270 / (360 * 360))), plan.Rungs[1].MaxRate);
    }

    [Theory]
    [InlineData("renditions", "outputs.renditions[1].height: 1440 is above the source's height (1080)")]
    [InlineData("clipEnd", "outputs.clip.endSeconds: 99 s is past the source's end")]
    [InlineData("clipStart", "outputs.clip.startSeconds: 50 s is past the source's end")]
    [InlineData("stills", "outputs.thumbnails.times[1]: 20 s is past the video's end (10 s)")]
    [InlineData("poster", "outputs.posterSeconds: 12 s is past the video's end")]
    [InlineData("download", "outputs.downloads[0].height: 540 is not one of the package's rungs (1080, 720, 480, 360)")]
    public void Plan_OutputsTheSourceCannotGive_FailNamingTheField(string what, string message)
    {
        var outputs = what switch
        {
            "renditions" => new OutputOptions { Renditions = [new(1080), new(1440)] },
            "clipEnd" => new OutputOptions { Clip = new ClipRange(2, 99) },
            "clipStart" => new OutputOptions { Clip = new ClipRange(50, 60) },
            "stills" => new OutputOptions { Clip = new ClipRange(5, 15), Thumbnails = new ThumbnailRequest { Times = [1, 20] } },
            "poster" => new OutputOptions { PosterSeconds = 12 },
            _ => new OutputOptions { Downloads = [new DownloadRequest(DownloadFormat.Mp4, 540)] },
        };
        var source = Fixture.Probe("landscape-1080p") with { Duration = TimeSpan.FromSeconds(what == "stills" ? 30 : 10) };

        var error = Assert.Throws<MediaException>(() => LadderPlanner.Plan(source, Options, outputs: outputs));

        Assert.Equal(MediaErrorKind.OutputsInvalid, error.Kind);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_WithAv1_KeepsEverySegmentOneGop_AndKeyframesByFrameCount()
    {
        var plan = LadderPlanner.Plan(Fixture.Probe("landscape-1080p"), Options, outputs: new OutputOptions { Codecs = [OutputCodec.H264, OutputCodec.Av1] });

        Assert.True(plan.FixedGop);
        Assert.Equal(plan.SegmentSeconds, plan.FirstSegmentSeconds);
        Assert.Equal(Invariant($"expr:eq(mod(n,{plan.GopFrames}),0)"), FfmpegArguments.KeyframeExpression(plan));
        Assert.Equal(3 * plan.GopFrames / plan.FrameRate.ToDouble(), plan.SegmentStart(3), 9);
    }

    private static string Invariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public class LadderFingerprintTests
{
    [Fact]
    public void Fingerprint_SameSettingsSame_AnyChangeDifferent()
    {
        var defaults = LadderFingerprint.Of(new LadderOptions());

        Assert.Equal(defaults, LadderFingerprint.Of(new LadderOptions()));
        Assert.NotEqual(defaults, LadderFingerprint.Of(new LadderOptions { Crf = 22 }));
        Assert.NotEqual(defaults, LadderFingerprint.Of(new LadderOptions { SegmentSeconds = 4, FirstSegmentSeconds = 2 }));
        Assert.NotEqual(defaults, LadderFingerprint.Of(new LadderOptions { Rungs = [new() { ShortSide = 720, Bitrate = 5_000_000, MaxRate = 6_000_000, BufferSize = 12_000_000 }] }));
    }

    [Fact]
    public void Fingerprint_ChangesWithTheOutputs_AndNotWithDefaultOnes()
    {
        var defaults = LadderFingerprint.Of(new LadderOptions());

        Assert.Equal(defaults, LadderFingerprint.Of(new LadderOptions(), outputs: new OutputOptions()));
        var hevc = LadderFingerprint.Of(new LadderOptions(), outputs: new OutputOptions { Codecs = [OutputCodec.H264, OutputCodec.Hevc] });
        Assert.NotEqual(defaults, hevc);
        Assert.Equal(hevc, LadderFingerprint.Of(new LadderOptions(), outputs: new OutputOptions { Codecs = [OutputCodec.H264, OutputCodec.Hevc] }));
        Assert.NotEqual(defaults, LadderFingerprint.Of(new LadderOptions(), outputs: new OutputOptions { Clip = new ClipRange(1, 2) }));
        Assert.NotEqual(defaults, LadderFingerprint.Of(new LadderOptions(), outputs: new OutputOptions { MaxHeight = 720 }));
    }
}
