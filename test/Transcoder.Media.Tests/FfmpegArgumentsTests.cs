using Transcoder.Abstractions;
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
    public void ForLadder_EveryCodecFromTheSameDecode_EachRungScaledOnce_HdrOnAPathOfItsOwn()
    {
        var hdr = Fixture.Probe("landscape-1080p") is var source && source.Video is { } video
            ? source with { VideoStreams = [video with { ColorTransfer = "smpte2084", ColorPrimaries = "bt2020", ColorSpace = "bt2020nc" }] }
            : throw new InvalidOperationException();
        var plan = LadderPlanner.Plan(hdr, new LadderOptions(), outputs: new OutputOptions { Codecs = [OutputCodec.H264, OutputCodec.Hevc, OutputCodec.Av1] });

        var args = Arguments(plan);

        Assert.Single(args, a => a == "-i");
        var graph = args[args.IndexOf("-filter_complex") + 1];
        // The frame rate made constant once; SDR (tone mapped) for H.264 and the stills, 10-bit HDR for HEVC and AV1.
        Assert.Contains("fps=30/1,split=2[sdr][hdr];[hdr]format=yuv420p10le,split=4[h0][h1][h2][h3];[sdr]zscale=tin=smpte2084", graph, StringComparison.Ordinal);
        Assert.Contains(";[s0]scale=1920:1080:flags=bicubic,setdar=16/9[v0]", graph, StringComparison.Ordinal);
        Assert.Contains(";[h0]scale=1920:1080:flags=bicubic,setdar=16/9,split=2[vh0][va0]", graph, StringComparison.Ordinal);
        Assert.Equal(["libx264", "libx264", "libx264", "libx264", "libx265", "libx265", "libx265", "libx265", "libsvtav1", "libsvtav1", "libsvtav1", "libsvtav1"],
            args.Select((a, i) => (a, i)).Where(p => p.a == "-c:v").Select(p => args[p.i + 1]));
        Assert.Equal(["main10", "main10", "main10", "main10"], args.Select((a, i) => (a, i)).Where(p => p.a == "-profile:v" && args[p.i - 1] == "hvc1").Select(p => args[p.i + 1]));
        // The transfer each rendition signals: BT.709 for the tone-mapped H.264 rungs, PQ for the HEVC and AV1 ones.
        var transfers = args.Select((a, i) => (a, i)).Where(p => p.a == "-color_trc").Select(p => args[p.i + 1]).ToList();
        Assert.Equal((4, 8), (transfers.Count(t => t == "bt709"), transfers.Count(t => t == "smpte2084")));
        Assert.Equal(FfmpegArguments.KeyframeExpression(plan), args[args.IndexOf("-force_key_frames") + 1]);
        Assert.StartsWith("expr:eq(mod(n,60),0)", FfmpegArguments.KeyframeExpression(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void EncoderParameters_CarryTheMasteringDisplay_InEachEncodersUnits()
    {
        var display = new MasteringDisplay(0.265, 0.69, 0.15, 0.06, 0.68, 0.32, 0.3127, 0.329, 1000, 0.0001);
        var signal = new HdrSignal("smpte2084", display, 1000, 400);

        Assert.Equal("scenecut=0:open-gop=0:info=0:log-level=warning:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited:hdr10=1:hdr10-opt=1:repeat-headers=0"
            + ":master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400", FfmpegArguments.X265Params(signal, null));
        Assert.Equal("irefresh-type=2:mastering-display=G(0.265,0.69)B(0.15,0.06)R(0.68,0.32)WP(0.3127,0.329)L(1000.0,0.0001):content-light=1000,400",
            FfmpegArguments.SvtAv1Params(signal));
        Assert.Equal("scenecut=0:open-gop=0:info=0:log-level=warning:vbv-init=0.7", FfmpegArguments.X265Params(null, 0.7));
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
    public void ForLadder_EncodesEachAudioRenditionOnce_IntoItsOwnFile()
    {
        var stereo = Plan1080p().AudioTracks[0];
        var plan = Plan1080p() with
        {
            AudioTracks = [stereo, stereo with { Id = "a1", StreamIndex = 2, Language = "fr", Name = "French" }, stereo with { Id = "a2", StreamIndex = 2, Channels = 6, Bitrate = 384_000 }],
        };
        var args = Arguments(plan);

        Assert.Equal(3, args.Count(a => a == "-c:a"));
        Assert.Equal(["0:1", "0:2", "0:2"], args.Select((a, i) => (a, i)).Where(p => p.a == "-map" && args[p.i + 1].StartsWith("0:", StringComparison.Ordinal)).Select(p => args[p.i + 1]));
        Assert.Equal(["2", "2", "6"], args.Select((a, i) => (a, i)).Where(p => p.a == "-ac").Select(p => args[p.i + 1]));
        Assert.Contains("/scratch/encode/a1.mp4", args);
        Assert.Contains("/scratch/encode/a2.mp4", args);
        Assert.DoesNotContain("-af", args);
    }

    [Fact]
    public void ForLadder_NormalisedTrack_GetsTheSecondLoudnessPassFromItsMeasurement()
    {
        var measured = new LoudnessMeasurement(-27.5, -9.25, 6.1, -38.2, 0.4);
        var audio = Plan1080p().AudioTracks[0] with { Loudness = new LoudnessPlan(new LoudnessTarget(-16, -1.5), measured) };
        var args = Arguments(Plan1080p() with { AudioTracks = [audio] });

        var filter = args[args.IndexOf("-af") + 1];
        Assert.StartsWith("aformat=channel_layouts=stereo,loudnorm=I=-16.0:TP=-1.5:LRA=20:measured_I=-27.50:measured_TP=-9.25:measured_LRA=6.10:measured_thresh=-38.20:offset=0.40:linear=true", filter, StringComparison.Ordinal);
        Assert.EndsWith(",aresample=48000", filter, StringComparison.Ordinal);
    }

    [Fact]
    public void ForLadder_HdrSource_IsToneMappedOnceBeforeTheSplit_AndTaggedBt709()
    {
        var args = Arguments(Plan1080p() with { ToneMapFrom = "smpte2084" });

        var graph = args[args.IndexOf("-filter_complex") + 1];
        Assert.Contains("zscale=tin=smpte2084:pin=bt2020:min=bt2020nc:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=mobius:desat=0,zscale=t=bt709:m=bt709:r=tv,fps=", graph, StringComparison.Ordinal);
        Assert.True(graph.IndexOf("tonemap", StringComparison.Ordinal) < graph.IndexOf("split", StringComparison.Ordinal));
        Assert.Equal(Plan1080p().Rungs.Length, args.Count(a => a == "-color_trc"));
        Assert.Equal("bt709", args[args.IndexOf("-color_trc") + 1]);
    }

    [Fact]
    public void ForTextTracks_ConvertsEachStreamToWebVtt_ReadingNothingElse()
    {
        var args = FfmpegArguments.ForTextTracks("/scratch/input", [(3, "/scratch/t0.vtt"), (5, "/scratch/t1.vtt")], "mov,matroska");

        Assert.Equal(["0:3", "0:5"], args.Select((a, i) => (a, i)).Where(p => p.a == "-map").Select(p => args[p.i + 1]));
        Assert.Equal(2, args.Count(a => a == "-c:s"));
        Assert.DoesNotContain("-c:v", args);
        Assert.DoesNotContain("-c:a", args);
    }

    [Fact]
    public void ForLadder_VideoOnlySource_HasNoAudioOutput()
    {
        var args = Arguments(Plan1080p() with { AudioTracks = [] });

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

    /// <summary>A chunk reads the source through a signed URL: http(s) only for that input, and the log shows it without its signature.</summary>
    [Fact]
    public void ChunkFromASignedUrl_AllowsHttpForThatInput_AndTheLogHidesTheSignature()
    {
        const string url = "http://127.0.0.1:9000/bucket/t/job/source/input?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0123abcd";
        var plan = Plan1080p();
        var chunk = Chunking.ChunkPlanner.Plan(plan with { Duration = TimeSpan.FromSeconds(60) }, new Chunking.ChunkingOptions { MinSourceSeconds = 1, ChunkSeconds = 20 })[1];

        var remote = FfmpegArguments.ForChunk(plan, chunk, url, "/scratch/encode", "mov,mp4");
        var local = FfmpegArguments.ForChunk(plan, chunk, "/scratch/input", "/scratch/encode", "mov,mp4");

        Assert.Equal("http,https,tcp,tls", remote[remote.ToList().IndexOf("-protocol_whitelist") + 1]);
        Assert.Equal(FfmpegArguments.ProtocolAllowList, local[local.ToList().IndexOf("-protocol_whitelist") + 1]);
        Assert.Equal(url, remote[remote.ToList().IndexOf("-i") + 1]);
        Assert.Equal(plan.Rungs.Length, remote.Count(a => a == "vbv-init=0.7"));
        Assert.DoesNotContain("-x264-params", FfmpegArguments.ForChunk(plan, chunk with { Index = 0 }, url, "/scratch/encode", "mov,mp4"));
        var logged = CommandLine.Join(remote);
        Assert.DoesNotContain("X-Amz-Signature", logged, StringComparison.Ordinal);
        Assert.Contains("'http://127.0.0.1:9000/bucket/t/job/source/input?…'", logged, StringComparison.Ordinal);
        Assert.Equal("Input #0, mov, from 'https://s3.example/b/k?…':", SignedUrls.Redact("Input #0, mov, from 'https://s3.example/b/k?X-Amz-Signature=ab&X-Amz-Date=1':"));
    }
}
