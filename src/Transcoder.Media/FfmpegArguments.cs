using System.Globalization;
using System.Text;

namespace Transcoder.Media;

/// <summary>
/// The one place ffmpeg command lines are made. A plan becomes a single process that decodes the input once,
/// splits the picture to every rung, encodes them with keyframes at the same instants, encodes audio once,
/// and packages everything as CMAF segments referenced by both a DASH manifest and HLS playlists.
/// </summary>
public static class FfmpegArguments
{
    /// <summary>Protocols ffmpeg may open: local files and pipes only, never the network.</summary>
    public const string ProtocolAllowList = "file,pipe";

    /// <summary>
    /// The arguments (without the program name) that encode <paramref name="plan"/>, reading the input only
    /// with the demuxers in <paramref name="formatAllowList"/>.
    /// </summary>
    public static IReadOnlyList<string> ForLadder(LadderPlan plan, string inputPath, string outputFolder, string formatAllowList)
    {
        var args = new List<string>
        {
            // -benchmark makes ffmpeg print its own user and system CPU time at the end: the job's cost.
            "-hide_banner", "-nostats", "-benchmark", "-y",
            "-protocol_whitelist", ProtocolAllowList,
            "-format_whitelist", formatAllowList,
            "-i", inputPath,
        };

        if (plan.VideoStreamIndex is { } videoIndex && plan.Rungs.Length > 0)
        {
            args.Add("-filter_complex");
            args.Add(VideoFilterGraph(plan, videoIndex));
            for (var i = 0; i < plan.Rungs.Length; i++)
            {
                args.Add("-map");
                args.Add(string.Create(CultureInfo.InvariantCulture, $"[v{i}]"));
            }
        }

        if (plan.AudioStreamIndex is { } audioIndex)
        {
            args.Add("-map");
            args.Add(string.Create(CultureInfo.InvariantCulture, $"0:{audioIndex}"));
        }

        if (plan.Rungs.Length > 0)
        {
            AddVideoEncoding(args, plan);
        }

        if (plan.AudioStreamIndex is not null)
        {
            args.AddRange(["-c:a", "aac", "-b:a", Invariant(plan.AudioBitrate), "-ac", "2", "-ar", "48000"]);
        }

        args.AddRange(["-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn"]);
        AddDashPackaging(args, plan);
        args.Add(Path.Combine(outputFolder, LadderLayout.DashManifest));
        if (plan.Thumbnails is not null)
        {
            // Two more outputs of the same decode: one poster frame and one storyboard sprite.
            args.AddRange(["-map", "[poster]", "-frames:v", "1", "-update", "1", "-q:v", "3", Path.Combine(outputFolder, LadderLayout.Poster)]);
            args.AddRange(["-map", "[storyboard]", "-frames:v", "1", "-update", "1", "-q:v", "5", Path.Combine(outputFolder, LadderLayout.StoryboardImage)]);
        }

        return args;
    }

    /// <summary>
    /// Decode once, make the frame rate constant, convert to 8-bit 4:2:0 once, then split to the rungs.
    /// Every rung gets the same display aspect ratio so the DASH muxer (and players) treat them as one set.
    /// </summary>
    internal static string VideoFilterGraph(LadderPlan plan, int videoIndex)
    {
        var graph = new StringBuilder();
        graph.Append(CultureInfo.InvariantCulture, $"[0:{videoIndex}]");
        if (plan.Deinterlace)
        {
            graph.Append("bwdif=mode=send_frame:deint=interlaced,");
        }

        var branches = plan.Rungs.Length + (plan.Thumbnails is null ? 0 : 2);
        graph.Append(CultureInfo.InvariantCulture, $"fps={plan.FrameRate},format=yuv420p,split={branches}");
        for (var i = 0; i < branches; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[s{i}]");
        }

        for (var i = 0; i < plan.Rungs.Length; i++)
        {
            var rung = plan.Rungs[i];
            graph.Append(CultureInfo.InvariantCulture,
                $";[s{i}]scale={rung.Width}:{rung.Height}:flags=bicubic,setdar={plan.DisplayAspect}[v{i}]");
        }

        if (plan.Thumbnails is { } t)
        {
            var poster = plan.Rungs.Length;
            graph.Append(CultureInfo.InvariantCulture,
                $";[s{poster}]select=eq(n\\,{t.PosterFrame}),scale={t.PosterWidth}:{t.PosterHeight},setsar=1[poster]");
            graph.Append(CultureInfo.InvariantCulture,
                $";[s{poster + 1}]fps=1/{t.IntervalSeconds},scale={t.Width}:{t.Height},setsar=1,tile={t.Columns}x{t.Rows}[storyboard]");
        }

        return graph.ToString();
    }

    private static void AddVideoEncoding(List<string> args, LadderPlan plan)
    {
        var gop = Invariant(plan.GopFrames);
        args.AddRange(["-c:v", "libx264", "-preset", plan.Preset, "-crf", Invariant(plan.Crf), "-profile:v", "high"]);
        for (var i = 0; i < plan.Rungs.Length; i++)
        {
            var rung = plan.Rungs[i];
            args.AddRange([$"-maxrate:v:{Invariant(i)}", Invariant(rung.MaxRate), $"-bufsize:v:{Invariant(i)}", Invariant(rung.BufferSize)]);
        }

        // Keyframes at the same instants in every rung: a fixed GOP, no scene-cut keyframes, and forced
        // keyframes on the time grid so rounding of the frame rate cannot drift them apart.
        args.AddRange(["-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-force_key_frames", KeyframeExpression(plan)]);

        // The encoder measures each rendition against its own input (the source conditioned and scaled for
        // that rung) on every frame, and prints PSNR and SSIM when it closes: measuring quality this way costs
        // a few percent of the encode instead of decoding everything a second time. See EncoderSummary.
        args.AddRange(["-flags:v", "+psnr", "-ssim:v", "1"]);
    }

    /// <summary>
    /// Where keyframes go, which is where segments start: at 0, then every FirstSegmentSeconds until
    /// SegmentSeconds, then every SegmentSeconds (with 1 and 2: 0, 1, 2, 4, 6, ...). The short first segments
    /// let a player start while the encode is still young; the grid stays aligned to SegmentSeconds.
    /// </summary>
    internal static string KeyframeExpression(LadderPlan plan)
    {
        var first = plan.FirstSegmentSeconds;
        var every = plan.SegmentSeconds;
        var shortOnes = every / first;
        return string.Create(CultureInfo.InvariantCulture,
            $"expr:gte(t,if(lt(n_forced,{shortOnes}),n_forced*{first},(n_forced-{shortOnes - 1})*{every}))");
    }

    /// <summary>Where keyframe <paramref name="index"/> (0-based), and so segment index + 1, starts, in seconds: the schedule of <see cref="KeyframeExpression"/>.</summary>
    public static double SegmentStart(LadderPlan plan, int index)
    {
        var shortOnes = plan.SegmentSeconds / plan.FirstSegmentSeconds;
        return index < shortOnes ? index * plan.FirstSegmentSeconds : (index - (shortOnes - 1)) * (double)plan.SegmentSeconds;
    }

    private static void AddDashPackaging(List<string> args, LadderPlan plan)
    {
        var sets = new List<string>();
        if (plan.Rungs.Length > 0)
        {
            sets.Add("id=0,streams=v");
        }

        if (plan.AudioStreamIndex is not null)
        {
            sets.Add(string.Create(CultureInfo.InvariantCulture, $"id={sets.Count},streams=a"));
        }

        args.AddRange([
            "-f", "dash",
            // Every keyframe is at least FirstSegmentSeconds after the previous one, so the muxer starts a new
            // segment at each: segment boundaries are exactly the keyframe grid.
            "-seg_duration", Invariant(plan.FirstSegmentSeconds),
            "-use_template", "1",
            "-use_timeline", "1",
            "-hls_playlist", "1",
            "-adaptation_sets", string.Join(' ', sets),
            "-init_seg_name", LadderLayout.InitTemplate,
            "-media_seg_name", LadderLayout.SegmentTemplate,
        ]);
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
