using System.Globalization;
using System.Text;
using Transcoder.Abstractions;
using Transcoder.Media.Packaging;

namespace Transcoder.Media;

/// <summary>
/// The one place ffmpeg command lines are made. A plan becomes a single process that decodes the input once, splits
/// the picture to every rung, encodes them with keyframes at the same instants, encodes audio once, and writes each
/// rendition as fragmented MP4 of its own for the packager to cut (<see cref="LadderPackage"/>), plus the poster and
/// the storyboard sprite from the same decode.
/// </summary>
public static class FfmpegArguments
{
    /// <summary>Protocols ffmpeg may open: local files and pipes only, never the network.</summary>
    public const string ProtocolAllowList = "file,pipe";

    /// <summary>
    /// The protocols of a run that reads the source from the object store through a signed URL (a chunk: only its span
    /// is read, with range requests). The demuxer allow-list still keeps out every format that opens further URLs.
    /// </summary>
    public const string RemoteProtocolAllowList = "http,https,tcp,tls";

    /// <summary>How an input is opened: only local files, or (for a signed URL) the object store over http(s), reconnecting after a dropped connection.</summary>
    internal static string[] InputProtocols(string input) => SignedUrls.IsRemote(input)
        ? ["-protocol_whitelist", RemoteProtocolAllowList, "-reconnect", "1", "-reconnect_on_network_error", "1", "-reconnect_delay_max", "10"]
        : ["-protocol_whitelist", ProtocolAllowList];

    /// <summary>
    /// Fragmented MP4 as ffmpeg's own DASH muxer writes it: one track per file, the moov written once the first
    /// fragment is known (so its edit list carries the audio priming and the B-frame delay), each fragment's offsets
    /// relative to its own moof (so a fragment is a segment on its own), no index or trailer.
    /// </summary>
    private const string Fragmented = "+dash+delay_moov+default_base_moof+skip_sidx+skip_trailer";

    /// <summary>Video is fragmented at each keyframe, which is each segment; the packager cuts at fragment boundaries.</summary>
    public const string VideoFragments = Fragmented + "+frag_keyframe";

    /// <summary>Audio has no keyframes to cut at: a fragment per frame, merged by the packager into segments on the grid.</summary>
    public const string AudioFragments = Fragmented + "+frag_every_frame";

    /// <summary>
    /// The arguments (without the program name) that encode <paramref name="plan"/>: renditions into
    /// <paramref name="encodeFolder"/>, poster and storyboard into <paramref name="packageFolder"/>, reading the input
    /// only with the demuxers in <paramref name="formatAllowList"/>. Progress goes to stdout, for <see cref="FfmpegProcess"/>.
    /// </summary>
    public static IReadOnlyList<string> ForLadder(LadderPlan plan, string inputPath, string encodeFolder, string packageFolder, string formatAllowList)
    {
        var args = new List<string>
        {
            // -benchmark makes ffmpeg print its own user and system CPU time at the end: the job's cost.
            "-hide_banner", "-nostats", "-benchmark", "-y", "-progress", "pipe:1",
            "-protocol_whitelist", ProtocolAllowList,
            "-format_whitelist", formatAllowList,
            "-i", inputPath,
        };

        var video = plan.VideoStreamIndex is { } videoIndex && plan.Rungs.Length > 0;
        if (video)
        {
            args.Add("-filter_complex");
            args.Add(VideoFilterGraph(plan, plan.VideoStreamIndex!.Value));
            for (var i = 0; i < plan.Rungs.Length; i++)
            {
                args.AddRange(["-map", Invariant($"[v{i}]")]);
                AddVideoEncoding(args, plan, plan.Rungs[i], KeyframeExpression(plan));
                AddFragmentedOutput(args, VideoFragments, Path.Combine(encodeFolder, PackageLayout.EncoderOutput(PackageLayout.VideoId(i))));
            }
        }

        foreach (var audio in plan.AudioTracks)
        {
            args.AddRange(["-map", Invariant($"0:{audio.StreamIndex}"),
                "-c:a", plan.AudioCodec.Encoder, "-b:a", Invariant(audio.Bitrate), "-ac", Invariant(audio.Channels), "-ar", Invariant(audio.SampleRate)]);
            if (audio.Loudness is { Source: { } measured } loudness)
            {
                args.AddRange(["-af", $"{Layout(audio.Channels)},{LoudnessFilter(loudness.Target, measured, audio.SampleRate)}"]);
            }

            AddFragmentedOutput(args, AudioFragments, Path.Combine(encodeFolder, PackageLayout.EncoderOutput(audio.Id)));
        }

        if (video && plan.Thumbnails is not null)
        {
            // Each image gets a first frame at once and its real one when it is ready (written over the first): an
            // output without frames would keep ffmpeg from reporting progress until the end.
            args.AddRange(["-map", "[poster]", "-fps_mode", "passthrough", "-frames:v", "2", "-update", "1", "-q:v", "3", Path.Combine(packageFolder, PackageLayout.Poster)]);
            args.AddRange(["-map", "[storyboard]", "-fps_mode", "passthrough", "-frames:v", "2", "-update", "1", "-q:v", "5", Path.Combine(packageFolder, PackageLayout.StoryboardImage)]);
        }

        return args;
    }

    /// <summary>
    /// Decode once, make the frame rate constant, convert to 8-bit 4:2:0 once, then split to the rungs.
    /// Every rung gets the same display aspect ratio so the packager (and players) treat them as one set.
    /// </summary>
    /// <param name="plan">What is encoded.</param>
    /// <param name="videoIndex">The source's video stream.</param>
    /// <param name="extraBranches">Branches split off besides the rungs' and the thumbnails', for the caller to use: [sN] on from the last of those.</param>
    internal static string VideoFilterGraph(LadderPlan plan, int videoIndex, int extraBranches = 0)
    {
        var graph = new StringBuilder();
        graph.Append(CultureInfo.InvariantCulture, $"[0:{videoIndex}]");
        if (plan.Deinterlace)
        {
            graph.Append("bwdif=mode=send_frame:deint=interlaced,");
        }

        if (plan.ToneMapFrom is { } transfer)
        {
            graph.Append(ToneMap(transfer)).Append(',');
        }

        var branches = plan.Rungs.Length + (plan.Thumbnails is null ? 0 : 2) + extraBranches;
        graph.Append(CultureInfo.InvariantCulture, $"fps={plan.FrameRate},format=yuv420p,split={branches}");
        for (var i = 0; i < branches; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[s{i}]");
        }

        for (var i = 0; i < plan.Rungs.Length; i++)
        {
            var rung = plan.Rungs[i];
            graph.Append(rung switch
            {
                // The source's own size: cut the odd row or column rather than resample the whole picture.
                { Native: true } when plan.SquarePixels => Invariant($";[s{i}]crop={rung.Width}:{rung.Height}:0:0,setsar=1[v{i}]"),
                { Native: true } => Invariant($";[s{i}]scale={rung.Width}:{rung.Height}:flags=bicubic,setsar=1[v{i}]"),
                _ => Invariant($";[s{i}]scale={rung.Width}:{rung.Height}:flags=bicubic,setdar={plan.DisplayAspect}[v{i}]"),
            });
        }

        if (plan.Thumbnails is { } t)
        {
            // The poster: the first frame at once, then the chosen one. The storyboard: one still of the sprite's size at
            // once, then the sprite itself when the title ends.
            var poster = plan.Rungs.Length;
            graph.Append(CultureInfo.InvariantCulture,
                $";[s{poster}]select=eq(n\\,0)+eq(n\\,{t.PosterFrame}),scale={t.PosterWidth}:{t.PosterHeight},setsar=1[poster]");
            graph.Append(CultureInfo.InvariantCulture,
                $";[s{poster + 1}]fps=1/{t.IntervalSeconds},scale={t.Width}:{t.Height},setsar=1,split[tf][ts]");
            graph.Append(CultureInfo.InvariantCulture,
                $";[tf]trim=end_frame=1,scale={t.Width * t.Columns}:{t.Height * t.Rows},setsar=1[tfirst]");
            graph.Append(CultureInfo.InvariantCulture, $";[ts]tile={t.Columns}x{t.Rows}[tsprite]");
            graph.Append(";[tfirst][tsprite]concat=n=2:v=1:a=0,setpts=N/TB[storyboard]");
        }

        return graph.ToString();
    }

    /// <summary>
    /// The arguments that encode one chunk of the plan's video into every rung (no audio, poster or storyboard): the
    /// input read from the chunk's first frame (an exact seek: decoded from the keyframe before, the rest dropped), its
    /// frames and no more, keyframes on the segment grid from the chunk's own start. Each rung's file starts at time 0;
    /// the packager puts it in its place (<see cref="Packaging.SpanPlacement"/>).
    /// </summary>
    public static IReadOnlyList<string> ForChunk(LadderPlan plan, Chunking.PlannedChunk chunk, string inputPath, string encodeFolder, string formatAllowList)
    {
        if (plan.VideoStreamIndex is not { } videoIndex || plan.Rungs.IsEmpty)
        {
            throw new ArgumentException("Only a plan with video is chunked.", nameof(plan));
        }

        // The stills the chunk takes for the title's poster and storyboard, each picked by its frame number.
        var stills = Chunking.ChunkStills.For(plan, chunk);
        var graph = new StringBuilder(VideoFilterGraph(plan with { Thumbnails = null }, videoIndex,
            (stills.PosterFrame is null ? 0 : 1) + (stills.ThumbnailFrames.IsEmpty ? 0 : 1)));
        var branch = plan.Rungs.Length;
        if (stills.PosterFrame is { } poster && plan.Thumbnails is { } p)
        {
            graph.Append(CultureInfo.InvariantCulture, $";[s{branch++}]select=eq(n\\,{poster}),scale={p.PosterWidth}:{p.PosterHeight},setsar=1[poster]");
        }

        if (!stills.ThumbnailFrames.IsEmpty && plan.Thumbnails is { } t)
        {
            var pick = string.Join('+', stills.ThumbnailFrames.Select(f => Invariant($"eq(n\\,{f})")));
            graph.Append(CultureInfo.InvariantCulture, $";[s{branch}]select={pick},scale={t.Width}:{t.Height},setsar=1[thumbs]");
        }

        var args = new List<string> { "-hide_banner", "-nostats", "-benchmark", "-y", "-progress", "pipe:1" };
        args.AddRange(InputProtocols(inputPath));
        args.AddRange(
        [
            "-format_whitelist", formatAllowList,
            "-ss", Invariant($"{chunk.StartSeconds:0.######}"),
            "-i", inputPath,
            "-filter_complex", graph.ToString(),
        ]);

        // The first chunk has the title's short first segments; the others start on a full one.
        var keyframes = chunk.Index == 0 ? KeyframeExpression(plan) : Invariant($"expr:gte(t,n_forced*{plan.SegmentSeconds})");
        for (var i = 0; i < plan.Rungs.Length; i++)
        {
            args.AddRange(["-map", Invariant($"[v{i}]")]);
            AddVideoEncoding(args, plan, plan.Rungs[i], keyframes);
            if (chunk.Index > 0)
            {
                args.AddRange(["-x264-params", Invariant($"vbv-init={LaterChunkVbvInit:0.0#}")]);
            }

            if (chunk.FrameCount is { } frames)
            {
                args.AddRange(["-frames:v", Invariant(frames)]);
            }

            AddFragmentedOutput(args, VideoFragments, Path.Combine(encodeFolder, PackageLayout.EncoderOutput(PackageLayout.VideoId(i))));
        }

        // Each still output stops at its count, so none keeps ffmpeg decoding past the chunk.
        if (stills.PosterFrame is not null)
        {
            args.AddRange(["-map", "[poster]", "-fps_mode", "passthrough", "-frames:v", "1", "-q:v", "3", Path.Combine(encodeFolder, PackageLayout.Poster)]);
        }

        if (!stills.ThumbnailFrames.IsEmpty)
        {
            args.AddRange(["-map", "[thumbs]", "-fps_mode", "passthrough", "-frames:v", Invariant(stills.ThumbnailFrames.Length), "-q:v", "5",
                "-start_number", Invariant(stills.FirstThumbnail), Path.Combine(encodeFolder, PackageLayout.ThumbnailPattern)]);
        }

        return args;
    }

    /// <summary>
    /// How full the VBV buffer of a chunk after the first starts (x264's default, 0.9, is for a stream's start). The
    /// whole encode reaches a chunk's first frame with its buffer partly drained; a chunk starting at 0.9 spends more
    /// there: 2.8 % more bits for 0.11 dB more PSNR over 60 s of 1080p in 20 s chunks, 0.5 gave 1.2 % fewer bits and
    /// 0.12 dB less. 0.7 sits between, on the whole encode's rate-distortion curve.
    /// </summary>
    public const double LaterChunkVbvInit = 0.7;

    /// <summary>
    /// The arguments that tile a title's storyboard thumbnails (numbered from 0 in <paramref name="folder"/>, as
    /// chunks took them) into the one sprite image the whole encode makes: <paramref name="plan"/>'s columns by rows.
    /// </summary>
    public static IReadOnlyList<string> ForStoryboard(ThumbnailPlan plan, string folder, string output) =>
    [
        "-hide_banner", "-nostats", "-benchmark", "-y", "-progress", "pipe:1",
        "-protocol_whitelist", ProtocolAllowList,
        "-f", "image2", "-framerate", "1", "-start_number", "0", "-i", Path.Combine(folder, PackageLayout.ThumbnailPattern),
        "-vf", Invariant($"tile={plan.Columns}x{plan.Rows}"), "-frames:v", "1", "-q:v", "5", output,
    ];

    private static void AddVideoEncoding(List<string> args, LadderPlan plan, PlannedRung rung, string keyframes)
    {
        var gop = Invariant(plan.GopFrames);
        args.AddRange(["-c:v", plan.VideoCodec.Encoder, "-preset", plan.Preset, "-crf", Invariant(plan.Crf), "-profile:v", plan.VideoCodec.Profile,
            "-maxrate", Invariant(rung.MaxRate), "-bufsize", Invariant(rung.BufferSize)]);

        // Keyframes at the same instants in every rung: a fixed GOP, no scene-cut keyframes, and forced keyframes on
        // the time grid so rounding of the frame rate cannot drift them apart.
        args.AddRange(["-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-force_key_frames", keyframes]);

        if (plan.ToneMapFrom is not null)
        {
            args.AddRange(["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv"]);
        }

        // The encoder measures each rendition against its own input (the source conditioned and scaled for that
        // rung) on every frame, and prints PSNR and SSIM when it closes: measuring quality this way costs a few
        // percent of the encode instead of decoding everything a second time. See EncoderSummary.
        args.AddRange(["-flags:v", "+psnr", "-ssim:v", "1"]);
    }

    /// <summary>
    /// HDR (PQ or HLG, BT.2020) to SDR BT.709: to linear light with SDR white at 100 nits, BT.709 primaries, the
    /// Hable curve (highlights rolled off, mid-tones kept), then the BT.709 transfer and matrix in limited range.
    /// </summary>
    internal static string ToneMap(string transfer) => Invariant(
        $"zscale=tin={transfer}:pin=bt2020:min=bt2020nc:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=mobius:desat=0,zscale=t=bt709:m=bt709:r=tv");

    /// <summary>
    /// The second loudness pass: the first pass's measurements let loudnorm apply one gain to the whole track (linear)
    /// where the target's true peak allows, and only otherwise compress dynamically. It works at 192 kHz; resample back.
    /// </summary>
    internal static string LoudnessFilter(LoudnessTarget target, LoudnessMeasurement measured, int sampleRate) => Invariant(
        $"loudnorm=I={target.TargetLufs:0.0#}:TP={target.TruePeakDb:0.0#}:LRA={LoudnessRange}:measured_I={measured.IntegratedLufs:0.00}:measured_TP={measured.TruePeakDb:0.00}:measured_LRA={measured.RangeLu:0.00}:measured_thresh={measured.ThresholdLufs:0.00}:offset={measured.TargetOffsetLu:0.00}:linear=true:print_format=summary,aresample={sampleRate}");

    /// <summary>
    /// The channel layout a rendition is made in, as a filter: loudness is measured and normalised in it (a downmix
    /// changes loudness, so it comes first).
    /// </summary>
    internal static string Layout(int channels) => channels > 2 ? "aformat=channel_layouts=5.1" : "aformat=channel_layouts=stereo";

    /// <summary>
    /// One pass that measures the loudness of audio streams (<paramref name="streams"/>: an input number, a stream
    /// index and the channels to measure in, each) against a target; loudnorm prints each measurement as JSON on
    /// stderr, in order.
    /// </summary>
    public static IReadOnlyList<string> ForLoudness(IReadOnlyList<string> inputs, IReadOnlyList<(int Input, int Stream, int Channels)> streams, LoudnessTarget target, string formatAllowList)
    {
        var args = new List<string> { "-hide_banner", "-nostats", "-benchmark", "-y", "-progress", "pipe:1", "-protocol_whitelist", ProtocolAllowList };
        foreach (var input in inputs)
        {
            args.AddRange(["-format_whitelist", formatAllowList, "-i", input]);
        }

        var graph = string.Join(';', streams.Select((s, i) => Invariant(
            $"[{s.Input}:{s.Stream}]{Layout(s.Channels)},loudnorm=I={target.TargetLufs:0.0#}:TP={target.TruePeakDb:0.0#}:LRA={LoudnessRange}:print_format=json[m{i}]")));
        args.AddRange(["-filter_complex", graph]);
        for (var i = 0; i < streams.Count; i++)
        {
            args.AddRange(["-map", Invariant($"[m{i}]"), "-f", "null", "-"]);
        }

        return args;
    }

    /// <summary>
    /// One pass that converts the source's text subtitle streams to WebVTT files (each a stream index and a path),
    /// reading no picture or sound.
    /// </summary>
    public static IReadOnlyList<string> ForTextTracks(string inputPath, IReadOnlyList<(int Stream, string Path)> tracks, string formatAllowList)
    {
        var args = new List<string>
        {
            "-hide_banner", "-nostats", "-benchmark", "-y", "-progress", "pipe:1",
            "-protocol_whitelist", ProtocolAllowList, "-format_whitelist", formatAllowList, "-i", inputPath,
        };
        foreach (var (stream, path) in tracks)
        {
            args.AddRange(["-map", Invariant($"0:{stream}"), "-c:s", "webvtt", "-f", "webvtt", path]);
        }

        return args;
    }

    /// <summary>The loudness range the filter may keep; wider tracks are compressed to it.</summary>
    private const int LoudnessRange = 20;

    /// <summary>Each fragment goes to the file as soon as it is cut, not when ffmpeg's write buffer fills (seconds of audio).</summary>
    private static void AddFragmentedOutput(List<string> args, string fragments, string path) =>
        args.AddRange(["-map_metadata", "-1", "-map_chapters", "-1", "-f", "mp4", "-movflags", fragments, "-flush_packets", "1", path]);

    /// <summary>
    /// Where keyframes go, which is where segments start (<see cref="LadderPlan.SegmentStart"/>): at 0, then every
    /// FirstSegmentSeconds until SegmentSeconds, then every SegmentSeconds (with 1 and 2: 0, 1, 2, 4, 6, ...).
    /// </summary>
    internal static string KeyframeExpression(LadderPlan plan)
    {
        var first = plan.FirstSegmentSeconds;
        var every = plan.SegmentSeconds;
        var shortOnes = every / first;
        return Invariant($"expr:gte(t,if(lt(n_forced,{shortOnes}),n_forced*{first},(n_forced-{shortOnes - 1})*{every}))");
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
