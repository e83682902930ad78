using Transcoder.Media.Packaging;

namespace Transcoder.Media.Tests;

public class FfmpegArgumentsTests
{
    private static LadderPlan Plan1080p() => LadderPlanner.Plan(Fixture.Probe("landscape-1080p"), new LadderOptions());

    private static List<string> Arguments(LadderPlan plan) =>
        [.. FfmpegArguments.ForLadder(plan, "/scratch/input", "/scratch/encode", "/scratch/package", new InputLimits().FormatAllowList)];

    [Fact]
    public void ForLadder_DecodesOnceAndSplitsToEveryRung()
    {
        var args = Arguments(Plan1080p());

        Assert.Single(args, a => a == "-i");
        var graph = args[args.IndexOf("-filter_complex") + 1];
        // Four rungs, the poster and the storyboard, all from one decode.
        Assert.Contains("split=6[s0][s1][s2][s3][s4][s5]", graph, StringComparison.Ordinal);
        Assert.Contains("tile=10x1", graph, StringComparison.Ordinal);
        Assert.Contains("scale=854:480", graph, StringComparison.Ordinal);
        Assert.Equal(4, args.Count(a => a.StartsWith("[v", StringComparison.Ordinal)));
    }

    [Fact]
    public void ForLadder_WritesEachRenditionAsFragmentedMp4ForThePackager()
    {
        var args = Arguments(Plan1080p());

        Assert.Equal(["/scratch/encode/v0.mp4", "/scratch/encode/v1.mp4", "/scratch/encode/v2.mp4", "/scratch/encode/v3.mp4", "/scratch/encode/a0.mp4"],
            args.Where(a => a.StartsWith("/scratch/encode/", StringComparison.Ordinal)));
        Assert.Equal(5, args.Count(a => a == "mp4"));
        Assert.Equal(4, args.Count(a => a.Contains("+frag_keyframe", StringComparison.Ordinal)));
        Assert.Single(args, a => a.Contains("+frag_every_frame", StringComparison.Ordinal));
        Assert.DoesNotContain("dash", args);
        Assert.DoesNotContain(args, a => a.EndsWith(".m3u8", StringComparison.Ordinal) || a.EndsWith(".mpd", StringComparison.Ordinal));
        Assert.Equal("pipe:1", args[args.IndexOf("-progress") + 1]);
    }

    [Fact]
    public void ForLadder_PosterAndStoryboardGetAFrameAtOnce()
    {
        var plan = Plan1080p();
        var args = Arguments(plan);
        var graph = args[args.IndexOf("-filter_complex") + 1];

        // An output with no frame until the end would hold ffmpeg's progress report back until then.
        Assert.Contains($"select=eq(n\\,0)+eq(n\\,{plan.Thumbnails!.PosterFrame})", graph, StringComparison.Ordinal);
        Assert.Contains("trim=end_frame=1", graph, StringComparison.Ordinal);
        Assert.Contains("concat=n=2:v=1:a=0,setpts=N/TB[storyboard]", graph, StringComparison.Ordinal);
        Assert.Equal("/scratch/package/" + PackageLayout.Poster, args[args.IndexOf("[poster]") + 9]);
    }

    [Fact]
    public void SegmentStart_FollowsTheKeyframeSchedule() =>
        Assert.Equal([0d, 1, 2, 4, 6, 8], Enumerable.Range(0, 6).Select(i => Plan1080p().SegmentStart(i)));

    [Fact]
    public void ForLadder_AlignsKeyframesAcrossRungs()
    {
        var args = Arguments(Plan1080p());

        Assert.Equal(4, args.Count(a => a == "-sc_threshold"));
        Assert.All(args.Select((a, i) => (a, i)).Where(p => p.a == "-sc_threshold"), p => Assert.Equal("0", args[p.i + 1]));
        Assert.All(args.Select((a, i) => (a, i)).Where(p => p.a == "-g"), p => Assert.Equal("60", args[p.i + 1]));
        Assert.All(args.Select((a, i) => (a, i)).Where(p => p.a == "-force_key_frames"),
            p => Assert.Equal("expr:gte(t,if(lt(n_forced,2),n_forced*1,(n_forced-1)*2))", args[p.i + 1]));
    }

    [Fact]
    public void ForLadder_ReadsOnlyLocalFiles()
    {
        var args = Arguments(Plan1080p());

        Assert.True(args.IndexOf("-protocol_whitelist") < args.IndexOf("-i"));
        Assert.Equal("file,pipe", args[args.IndexOf("-protocol_whitelist") + 1]);
        Assert.True(args.IndexOf("-format_whitelist") < args.IndexOf("-i"));
        Assert.DoesNotContain("hls", args[args.IndexOf("-format_whitelist") + 1].Split(','));
        Assert.DoesNotContain("concat", args[args.IndexOf("-format_whitelist") + 1].Split(','));
    }

    [Fact]
    public void ForLadder_EncodesAudioOnce_WithItsLanguage()
    {
        var plan = Plan1080p() with { Audio = Plan1080p().Audio! with { Language = "fra" } };
        var args = Arguments(plan);

        Assert.Single(args, a => a == "-c:a");
        Assert.Equal("aac", args[args.IndexOf("-c:a") + 1]);
        Assert.Equal("language=fra", args[args.IndexOf("-metadata:s:a:0") + 1]);
    }

    [Fact]
    public void ForLadder_VideoOnlySource_HasNoAudioOutput()
    {
        var args = Arguments(Plan1080p() with { Audio = null });

        Assert.DoesNotContain("-c:a", args);
        Assert.DoesNotContain("/scratch/encode/a0.mp4", args);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("/scratch/a-b_c.mp4", "/scratch/a-b_c.mp4")]
    [InlineData("has space", "'has space'")]
    [InlineData("[0:1]fps=30,split=2[s0][s1]", "'[0:1]fps=30,split=2[s0][s1]'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    public void Quote_ProducesWhatAShellReadsBack(string argument, string expected) =>
        Assert.Equal(expected, CommandLine.Quote(argument));

    [Fact]
    public async Task Join_ReadBackByAShell_GivesTheSameArguments()
    {
        string[] arguments = ["-filter_complex", "[0:0]select=eq(n\\,0),scale=1:1[poster]", "it's $HOME", "a\"b", "", "plain"];

        var echoed = await Testing.TestClips.RunAsync("bash", ["-c", "printf '%s\\n' " + CommandLine.Join(arguments)]);

        Assert.Equal(arguments, echoed.Split('\n')[..^1]);
    }
}
