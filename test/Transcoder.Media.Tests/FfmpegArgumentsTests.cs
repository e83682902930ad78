namespace Transcoder.Media.Tests;

public class FfmpegArgumentsTests
{
    private static LadderPlan Plan1080p() => LadderPlanner.Plan(Fixture.Probe("landscape-1080p"), new LadderOptions());

    [Fact]
    public void ForLadder_DecodesOnceAndSplitsToEveryRung()
    {
        var args = FfmpegArguments.ForLadder(Plan1080p(), "/scratch/input", "/scratch/out", new InputLimits().FormatAllowList);

        Assert.Single(args, a => a == "-i");
        var graph = args[args.ToList().IndexOf("-filter_complex") + 1];
        // Four rungs, the poster and the storyboard, all from one decode.
        Assert.Contains("split=6[s0][s1][s2][s3][s4][s5]", graph, StringComparison.Ordinal);
        Assert.Contains("tile=10x1", graph, StringComparison.Ordinal);
        Assert.Contains("scale=854:480", graph, StringComparison.Ordinal);
        Assert.Equal(4, args.Count(a => a.StartsWith("[v", StringComparison.Ordinal)));
    }

    [Fact]
    public void SegmentStart_FollowsTheKeyframeSchedule() =>
        Assert.Equal([0d, 1, 2, 4, 6, 8], Enumerable.Range(0, 6).Select(i => FfmpegArguments.SegmentStart(Plan1080p(), i)));

    /// <summary>ffmpeg reports no time until every output has started; the segments it opens say how far it is.</summary>
    [Fact]
    public void SegmentProgress_ReadsHowFarTheEncodeIs_FromTheSegmentsOpened()
    {
        var plan = Plan1080p();
        var reports = new List<double>();
        var segments = new SegmentProgress(plan, new SyncProgress(reports.Add));

        segments.Add("[dash @ 0x55] Opening '/scratch/out/init-0.m4s' for writing");
        segments.Add("[dash @ 0x55] Opening '/scratch/out/chunk-1-00004.m4s.tmp' for writing");
        segments.Add("[dash @ 0x55] Opening '/scratch/out/chunk-0-00004.m4s.tmp' for writing");
        segments.Add("frame=  586 fps= 66 time=N/A");

        Assert.Equal([Math.Min(1, 4 / plan.Duration.TotalSeconds)], reports);
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    [Fact]
    public void ForLadder_AlignsKeyframesAcrossRungs()
    {
        var args = FfmpegArguments.ForLadder(Plan1080p(), "/scratch/input", "/scratch/out", new InputLimits().FormatAllowList).ToList();

        Assert.Equal("0", args[args.IndexOf("-sc_threshold") + 1]);
        Assert.Equal("60", args[args.IndexOf("-g") + 1]);
        Assert.Equal("expr:gte(t,if(lt(n_forced,2),n_forced*1,(n_forced-1)*2))", args[args.IndexOf("-force_key_frames") + 1]);
        Assert.Equal("1", args[args.IndexOf("-seg_duration") + 1]);
    }

    [Fact]
    public void ForLadder_ReadsOnlyLocalFiles()
    {
        var args = FfmpegArguments.ForLadder(Plan1080p(), "/scratch/input", "/scratch/out", new InputLimits().FormatAllowList).ToList();

        Assert.True(args.IndexOf("-protocol_whitelist") < args.IndexOf("-i"));
        Assert.Equal("file,pipe", args[args.IndexOf("-protocol_whitelist") + 1]);
        Assert.True(args.IndexOf("-format_whitelist") < args.IndexOf("-i"));
        Assert.DoesNotContain("hls", args[args.IndexOf("-format_whitelist") + 1].Split(','));
        Assert.DoesNotContain("concat", args[args.IndexOf("-format_whitelist") + 1].Split(','));
    }

    [Fact]
    public void ForLadder_EncodesAudioOnceAndPackagesHlsAndDash()
    {
        var args = FfmpegArguments.ForLadder(Plan1080p(), "/scratch/input", "/scratch/out", new InputLimits().FormatAllowList).ToList();

        Assert.Single(args, a => a == "-c:a");
        Assert.Equal("dash", args[args.IndexOf("-f") + 1]);
        Assert.Equal("1", args[args.IndexOf("-hls_playlist") + 1]);
        Assert.Equal("id=0,streams=v id=1,streams=a", args[args.IndexOf("-adaptation_sets") + 1]);
        Assert.True(args.IndexOf("-f") < args.IndexOf("/scratch/out/manifest.mpd"));
    }

    [Fact]
    public void ForLadder_VideoOnlySource_HasNoAudioSet()
    {
        var plan = Plan1080p() with { AudioStreamIndex = null };
        var args = FfmpegArguments.ForLadder(plan, "/in", "/out", new InputLimits().FormatAllowList).ToList();

        Assert.DoesNotContain("-c:a", args);
        Assert.Equal("id=0,streams=v", args[args.IndexOf("-adaptation_sets") + 1]);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("has space", "\"has space\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("", "\"\"")]
    [InlineData("ends\\ with", "\"ends\\ with\"")]
    public void Quote_ProducesWhatProcessStartSplitsBack(string argument, string expected) =>
        Assert.Equal(expected, CommandLine.Quote(argument));
}
