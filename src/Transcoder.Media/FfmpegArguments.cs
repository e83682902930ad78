using System.Globalization;
using System.Text;
using Transcoder.Abstractions;
using Transcoder.Media.Chunking;
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
        };
        args.AddRange(ClipInput(plan));
        args.AddRange(["-i", inputPath]);

        var video = plan.VideoStreamIndex is { } videoIndex && plan.Rungs.Length > 0;
        if (video)
        {
            args.Add("-filter_complex");
            args.Add(VideoFilterGraph(plan, plan.VideoStreamIndex!.Value));
            foreach (var output in plan.Videos)
            {
                args.AddRange(["-map", $"[{output.Id}]"]);
                AddVideoEncoding(args, plan, output, KeyframeExpression(plan));
                if (plan.ClipEndSeconds is not null)
                {
                    args.AddRange(["-frames:v", Invariant(plan.FrameCount)]);
                }

                AddFragmentedOutput(args, VideoFragments, Path.Combine(encodeFolder, PackageLayout.EncoderOutput(output.Id)));
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
    /// Decode once, make the frame rate constant, convert to 8-bit 4:2:0 once (tone mapped to SDR from an HDR source),
    /// then split to the rungs; a rung in several codecs is scaled once and split again. Codecs that keep an HDR source's
    /// picture get a 10-bit branch of their own, not tone mapped. Every rung gets the same display aspect ratio so the
    /// packager (and players) treat them as one set. Each video rendition's picture is labelled with its id ("[v0]").
    /// </summary>
    /// <param name="plan">What is encoded.</param>
    /// <param name="videoIndex">The source's video stream.</param>
    /// <param name="extraBranches">Branches split off besides the rungs' and the thumbnails', for the caller to use: [sN] on from the last of those.</param>
    internal static string VideoFilterGraph(LadderPlan plan, int videoIndex, int extraBranches = 0)
    {
        var videos = plan.Videos;
        var hdrRungs = videos.Where(v => v.Hdr).Select(v => v.Rung).Distinct().Order().ToList();
        var graph = new StringBuilder();
        graph.Append(CultureInfo.InvariantCulture, $"[0:{videoIndex}]");
        if (plan.Deinterlace)
        {
            graph.Append("bwdif=mode=send_frame:deint=interlaced,");
        }

        var sdr = "";
        if (hdrRungs.Count > 0)
        {
            // The frame rate is made constant once, before the HDR and SDR pictures part.
            graph.Append(CultureInfo.InvariantCulture, $"fps={plan.FrameRate},split=2[sdr][hdr];[hdr]format=yuv420p10le,split={hdrRungs.Count}");
            graph.Append(string.Concat(hdrRungs.Select(r => Invariant($"[h{r}]"))));
            graph.Append(";[sdr]");
        }
        else
        {
            sdr = Invariant($"fps={plan.FrameRate},");
        }

        if (plan.ToneMapFrom is { } transfer)
        {
            graph.Append(ToneMap(transfer)).Append(',');
        }

        var branches = plan.Rungs.Length + (plan.Thumbnails is null ? 0 : 2) + extraBranches;
        graph.Append(CultureInfo.InvariantCulture, $"{sdr}format=yuv420p,split={branches}");
        for (var i = 0; i < branches; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[s{i}]");
        }

        for (var i = 0; i < plan.Rungs.Length; i++)
        {
            var rung = plan.Rungs[i];
            var scale = rung switch
            {
                // The source's own size: cut the odd row or column rather than resample the whole picture.
                { Native: true } when plan.SquarePixels => Invariant($"crop={rung.Width}:{rung.Height}:0:0,setsar=1"),
                { Native: true } => Invariant($"scale={rung.Width}:{rung.Height}:flags=bicubic,setsar=1"),
                _ => Invariant($"scale={rung.Width}:{rung.Height}:flags=bicubic,setdar={plan.DisplayAspect}"),
            };
            AppendRung(graph, $"s{i}", scale, [.. videos.Where(v => v.Rung == i && !v.Hdr).Select(v => v.Id)]);
            AppendRung(graph, $"h{i}", scale, [.. videos.Where(v => v.Rung == i && v.Hdr).Select(v => v.Id)]);
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

    /// <summary>A rung's picture from <paramref name="input"/>, scaled once and labelled for each of <paramref name="outputs"/>.</summary>
    private static void AppendRung(StringBuilder graph, string input, string scale, IReadOnlyList<string> outputs)
    {
        if (outputs.Count == 0)
        {
            return;
        }

        graph.Append(CultureInfo.InvariantCulture, $";[{input}]{scale}");
        if (outputs.Count > 1)
        {
            graph.Append(CultureInfo.InvariantCulture, $",split={outputs.Count}");
        }

        graph.Append(string.Concat(outputs.Select(o => $"[{o}]")));
    }

    /// <summary>The input options that read a clip: an exact seek to its start (decoded from the keyframe before) and its span.</summary>
    private static IEnumerable<string> ClipInput(LadderPlan plan) => plan.ClipEndSeconds is { } end
        ? ["-ss", Invariant($"{plan.ClipStartSeconds:0.######}"), "-t", Invariant($"{end - plan.ClipStartSeconds:0.######}")]
        : [];

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
            "-ss", Invariant($"{plan.ClipStartSeconds + chunk.StartSeconds:0.######}"),
            "-i", inputPath,
            "-filter_complex", graph.ToString(),
        ]);

        // The first chunk has the title's short first segments; the others start on a full one.
        var keyframes = chunk.Index == 0 || plan.FixedGop ? KeyframeExpression(plan) : Invariant($"expr:gte(t,n_forced*{plan.SegmentSeconds})");
        var frames = chunk.FrameCount ?? (plan.ClipEndSeconds is null ? null : ChunkPlanner.Frames(plan, chunk));
        foreach (var output in plan.Videos)
        {
            args.AddRange(["-map", $"[{output.Id}]"]);
            AddVideoEncoding(args, plan, output, keyframes, chunk.Index > 0 ? LaterChunkVbvInit : null);
            if (frames is { } count)
            {
                args.AddRange(["-frames:v", Invariant(count)]);
            }

            AddFragmentedOutput(args, VideoFragments, Path.Combine(encodeFolder, PackageLayout.EncoderOutput(output.Id)));
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

    /// <summary>
    /// One video rendition's encoder: the codec's rate control capped by the rung's VBV (scaled by the codec's
    /// efficiency), keyframes at the same instants in every rendition of every codec (a fixed GOP, no scene-cut
    /// keyframes, closed GOPs, and forced keyframes on the time grid so rounding of the frame rate cannot drift them
    /// apart), and the colour signalled: BT.709 for a tone-mapped picture, the source's HDR signal for a rendition that
    /// keeps it. <paramref name="vbvInit"/> starts the VBV buffer that full (a chunk after the first; null for the encoder's default).
    /// </summary>
    private static void AddVideoEncoding(List<string> args, LadderPlan plan, PlannedVideo video, string keyframes, double? vbvInit = null)
    {
        var gop = Invariant(plan.GopFrames);
        var rung = video.Spec;
        var codec = video.Codec;
        var (preset, crf, rates) = codec.Name switch
        {
            OutputCodec.Hevc => (plan.HevcPreset, plan.HevcCrf, HevcRateShare),
            OutputCodec.Av1 => (plan.Av1Preset, plan.Av1Crf, Av1RateShare),
            _ => (plan.Preset, plan.Crf, 1.0),
        };
        args.AddRange(["-c:v", codec.Encoder, "-preset", preset, "-crf", Invariant(crf),
            "-maxrate", Invariant((long)(rung.MaxRate * rates)), "-bufsize", Invariant((long)(rung.BufferSize * rates)), "-g", gop, "-keyint_min", gop]);
        var hdr = video.Hdr ? plan.Hdr : null;
        switch (codec.Name)
        {
            case OutputCodec.H264:
                args.AddRange(["-profile:v", codec.Profile, "-sc_threshold", "0", "-force_key_frames", keyframes]);
                if (vbvInit is { } init)
                {
                    args.AddRange(["-x264-params", Invariant($"vbv-init={init:0.0#}")]);
                }

                break;
            case OutputCodec.Hevc:
                // hvc1: parameter sets only in the sample entry, as Apple's players require; IDR keyframes, closed GOPs.
                args.AddRange(["-tag:v", "hvc1", "-profile:v", hdr is null ? "main" : "main10", "-force_key_frames", keyframes, "-forced-idr", "1",
                    "-x265-params", X265Params(hdr, vbvInit)]);
                break;
            case OutputCodec.Av1:
                args.AddRange(["-svtav1-params", SvtAv1Params(hdr)]);
                break;
        }

        if (hdr is not null)
        {
            args.AddRange(["-color_primaries", "bt2020", "-color_trc", hdr.Transfer, "-colorspace", "bt2020nc", "-color_range", "tv"]);
        }
        else if (plan.ToneMapFrom is not null)
        {
            args.AddRange(["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv"]);
        }

        if (codec.Name == OutputCodec.H264)
        {
            // The encoder measures each rendition against its own input (the source conditioned and scaled for that
            // rung) on every frame, and prints PSNR and SSIM when it closes: measuring quality this way costs a few
            // percent of the encode instead of decoding everything a second time. See EncoderSummary.
            args.AddRange(["-flags:v", "+psnr", "-ssim:v", "1"]);
        }
    }

    /// <summary>HEVC's VBV as a share of the H.264 rung's: it needs about 70 % of the bits for the same picture.</summary>
    public const double HevcRateShare = 0.7;

    /// <summary>AV1's VBV as a share of the H.264 rung's: it needs about 60 % of the bits for the same picture.</summary>
    public const double Av1RateShare = 0.6;

    /// <summary>x265: no scene-cut keyframes, closed GOPs, no settings SEI, quiet; HDR10's signal (or HLG's) in the stream's VUI and SEI.</summary>
    internal static string X265Params(HdrSignal? hdr, double? vbvInit)
    {
        // info=0: no SEI of x265's own settings, which would land in the sample entry and differ between chunks.
        var text = new StringBuilder("scenecut=0:open-gop=0:info=0:log-level=warning");
        if (vbvInit is { } init)
        {
            text.Append(CultureInfo.InvariantCulture, $":vbv-init={init:0.0#}");
        }

        if (hdr is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $":colorprim=bt2020:transfer={hdr.Transfer}:colormatrix=bt2020nc:range=limited");
            if (hdr.Transfer == "smpte2084")
            {
                text.Append(":hdr10=1:hdr10-opt=1:repeat-headers=0");
            }

            if (hdr.MasteringDisplay is { } display)
            {
                text.Append(CultureInfo.InvariantCulture, $":master-display={display.ForX265()}");
            }

            if (hdr.MaxCll is { } cll)
            {
                text.Append(CultureInfo.InvariantCulture, $":max-cll={cll},{hdr.MaxFall ?? 0}");
            }
        }

        return text.ToString();
    }

    /// <summary>SVT-AV1: closed GOPs; an HDR signal's mastering display and content light level.</summary>
    internal static string SvtAv1Params(HdrSignal? hdr)
    {
        var text = new StringBuilder("irefresh-type=2");
        if (hdr?.MasteringDisplay is { } display)
        {
            text.Append(CultureInfo.InvariantCulture, $":mastering-display={display.ForSvtAv1()}");
        }

        if (hdr?.MaxCll is { } cll)
        {
            text.Append(CultureInfo.InvariantCulture, $":content-light={cll},{hdr.MaxFall ?? 0}");
        }

        return text.ToString();
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
    /// <param name="inputs">The files.</param>
    /// <param name="streams">What to measure.</param>
    /// <param name="target">The loudness target.</param>
    /// <param name="formatAllowList">The demuxers the inputs may be read with.</param>
    /// <param name="clip">A plan whose clip the inputs are read in (the source); null to read them whole (renditions).</param>
    public static IReadOnlyList<string> ForLoudness(IReadOnlyList<string> inputs, IReadOnlyList<(int Input, int Stream, int Channels)> streams, LoudnessTarget target,
        string formatAllowList, LadderPlan? clip = null)
    {
        var args = new List<string> { "-hide_banner", "-nostats", "-benchmark", "-y", "-progress", "pipe:1", "-protocol_whitelist", ProtocolAllowList };
        foreach (var input in inputs)
        {
            args.AddRange(["-format_whitelist", formatAllowList]);
            args.AddRange(clip is null ? [] : ClipInput(clip));
            args.AddRange(["-i", input]);
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

    /// <summary>
    /// A download: the rendition files (each an init segment followed by its media segments) copied, not encoded, into
    /// one progressive MP4 (video and audio) or M4A (audio), its index first so it plays while it downloads.
    /// </summary>
    public static IReadOnlyList<string> ForDownload(string? video, string? audio, string output)
    {
        var args = new List<string> { "-hide_banner", "-nostats", "-benchmark", "-y", "-progress", "pipe:1", "-protocol_whitelist", ProtocolAllowList };
        var inputs = new[] { video, audio }.OfType<string>().ToList();
        foreach (var input in inputs)
        {
            args.AddRange(["-format_whitelist", "mov", "-i", input]);
        }

        if (video is not null)
        {
            args.AddRange(["-map", "0:v:0"]);
        }

        if (audio is not null)
        {
            args.AddRange(["-map", Invariant($"{inputs.Count - 1}:a:0")]);
        }

        args.AddRange(["-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4", output]);
        return args;
    }

    /// <summary>
    /// Stills at the plan's times (of the package: a clip's start added), each <paramref name="width"/> wide and shaped
    /// like the picture, conditioned as the rungs are (deinterlaced, tone mapped to SDR): each an exact seek and one frame.
    /// </summary>
    public static IReadOnlyList<string> ForStills(LadderPlan plan, string inputPath, IReadOnlyList<double> times, int width, int height,
        StillFormat format, IReadOnlyList<string> outputs, string formatAllowList)
    {
        var args = new List<string> { "-hide_banner", "-nostats", "-benchmark", "-y", "-progress", "pipe:1", "-protocol_whitelist", ProtocolAllowList };
        foreach (var time in times)
        {
            args.AddRange(["-format_whitelist", formatAllowList, "-ss", Invariant($"{plan.ClipStartSeconds + time:0.######}"), "-i", inputPath]);
        }

        var condition = (plan.Deinterlace ? "bwdif=mode=send_frame:deint=interlaced," : "") + (plan.ToneMapFrom is { } transfer ? ToneMap(transfer) + "," : "");
        var graph = string.Join(';', times.Select((_, i) => Invariant($"[{i}:{plan.VideoStreamIndex}]{condition}scale={width}:{height}:flags=bicubic,setsar=1[still{i}]")));
        args.AddRange(["-filter_complex", graph]);
        for (var i = 0; i < times.Count; i++)
        {
            args.AddRange(["-map", Invariant($"[still{i}]"), "-frames:v", "1", "-update", "1"]);
            args.AddRange(format == StillFormat.Webp ? ["-c:v", "libwebp", "-quality", "85"] : ["-q:v", "3"]);
            args.Add(outputs[i]);
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
        if (plan.FixedGop)
        {
            return Invariant($"expr:eq(mod(n,{plan.GopFrames}),0)");
        }

        var first = plan.FirstSegmentSeconds;
        var every = plan.SegmentSeconds;
        var shortOnes = every / first;
        return Invariant($"expr:gte(t,if(lt(n_forced,{shortOnes}),n_forced*{first},(n_forced-{shortOnes - 1})*{every}))");
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
