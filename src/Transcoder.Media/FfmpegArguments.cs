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

    /// <summary>
    /// PSNR and SSIM of every rendition against the source brought to the rendition's size, over one window
    /// of the video (<paramref name="window"/>: start and length), on every <paramref name="sampleEvery"/>-th
    /// frame. Every input is seeked to the window, so only the window is decoded; the source is conditioned
    /// once (as for encoding), then each pair of sampled frames goes through ffmpeg's psnr and ssim filters,
    /// whose per-frame statistics land in the given files.
    /// </summary>
    public static IReadOnlyList<string> ForQuality(LadderPlan plan, string inputPath, IReadOnlyList<string> renditionPaths,
        IReadOnlyList<(string Psnr, string Ssim)> statsPaths, (double Start, double Length) window, int sampleEvery, string formatAllowList)
    {
        var seek = new[] { "-ss", Seconds(window.Start), "-t", Seconds(window.Length) };
        var args = new List<string> { "-hide_banner", "-nostats", "-benchmark", "-y" };
        args.AddRange([.. seek, "-protocol_whitelist", ProtocolAllowList, "-format_whitelist", formatAllowList, "-i", inputPath]);
        foreach (var path in renditionPaths)
        {
            args.AddRange([.. seek, "-protocol_whitelist", ProtocolAllowList, "-i", path]);
        }

        var select = string.Create(CultureInfo.InvariantCulture, $"select=not(mod(n\\,{sampleEvery}))");
        var graph = new StringBuilder();
        graph.Append(CultureInfo.InvariantCulture, $"[0:{plan.VideoStreamIndex}]");
        if (plan.Deinterlace)
        {
            graph.Append("bwdif=mode=send_frame:deint=interlaced,");
        }

        graph.Append(CultureInfo.InvariantCulture, $"fps={plan.FrameRate},format=yuv420p,{select},split={renditionPaths.Count}");
        for (var i = 0; i < renditionPaths.Count; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[src{i}]");
        }

        for (var i = 0; i < renditionPaths.Count; i++)
        {
            var rung = plan.Rungs[i];
            graph.Append(CultureInfo.InvariantCulture,
                $";[src{i}]scale={rung.Width}:{rung.Height}:flags=bicubic,setsar=1,split[ref{i}a][ref{i}b]");
            graph.Append(CultureInfo.InvariantCulture,
                $";[{i + 1}:v:0]{select},setsar=1,split[out{i}a][out{i}b]");
            graph.Append(CultureInfo.InvariantCulture,
                $";[out{i}a][ref{i}a]psnr=stats_file={FilterPath(statsPaths[i].Psnr)}[p{i}]");
            graph.Append(CultureInfo.InvariantCulture,
                $";[out{i}b][ref{i}b]ssim=stats_file={FilterPath(statsPaths[i].Ssim)}[q{i}]");
        }

        args.AddRange(["-filter_complex", graph.ToString()]);
        for (var i = 0; i < renditionPaths.Count; i++)
        {
            args.AddRange(["-map", $"[p{i}]", "-map", $"[q{i}]"]);
        }

        args.AddRange(["-f", "null", "-"]);
        return args;
    }

    private static string Seconds(double seconds) => seconds.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>A path inside a filter graph: ':' and '\' and quotes would end or escape the option.</summary>
    private static string FilterPath(string path) =>
        path.IndexOfAny([':', '\\', '\'', ',', ';', '[', ']']) < 0
            ? path
            : throw new ArgumentException($"'{path}' cannot be used inside a filter graph.", nameof(path));

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
        args.AddRange(["-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
            "-force_key_frames", string.Create(CultureInfo.InvariantCulture, $"expr:gte(t,n_forced*{plan.KeyframeSeconds})")]);
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
            "-seg_duration", Invariant(plan.SegmentSeconds),
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
