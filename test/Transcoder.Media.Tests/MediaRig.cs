using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

/// <summary>
/// The media path as a worker runs it (probe, limits, plan, one ffmpeg, package) on files the tests make
/// with ffmpeg's own test sources, in a folder of their own.
/// </summary>
public sealed class MediaRig : IDisposable
{
    public MediaRig(InputLimits? limits = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), $"media-rig-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
        Limits = limits ?? new InputLimits();
        var media = Options.Create(new MediaOptions { ScratchRoot = Folder });
        Probe = new MediaProbe(media, Options.Create(Limits));
        var ffmpeg = new FfmpegProcess(media, NullLogger<FfmpegProcess>.Instance);
        Encoder = new LadderEncoder(ffmpeg, media, Options.Create(Limits));
    }

    public string Folder { get; }

    public InputLimits Limits { get; }

    public MediaProbe Probe { get; }

    public LadderEncoder Encoder { get; }

    public static LadderOptions Ladder { get; } = new() { Preset = "ultrafast" };

    /// <summary>An encoder with other media options (time limits) but the rig's input limits.</summary>
    public LadderEncoder EncoderWith(MediaOptions options)
    {
        var media = Options.Create(options);
        return new LadderEncoder(new FfmpegProcess(media, NullLogger<FfmpegProcess>.Instance), media, Options.Create(Limits));
    }

    /// <summary>Makes a file with ffmpeg from the given arguments (inputs, filters, codecs); returns its path.</summary>
    public async Task<string> MakeAsync(string name, params string[] arguments)
    {
        var path = Path.Combine(Folder, name);
        await TestClips.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", .. arguments, path]);
        return path;
    }

    /// <summary>Probes, enforces limits, plans and encodes; returns the plan, the package and its folder.</summary>
    public async Task<(LadderPlan Plan, PackagedLadder Ladder, string Output)> TranscodeAsync(string input, LadderOptions? options = null, string? name = null)
    {
        var source = await Probe.ProbeAsync(input, CancellationToken.None);
        InputPolicy.Enforce(source, Limits);
        var plan = LadderPlanner.Plan(source, options ?? Ladder);
        var output = Path.Combine(Folder, "out-" + (name ?? Path.GetFileName(input)));
        var ladder = await Encoder.EncodeAsync(plan, input, output, new Progress<double>(), CancellationToken.None);
        return (plan, ladder, output);
    }

    /// <summary>ffprobe of one representation's init segment joined with its first media segment.</summary>
    public async Task<SourceInfo> ProbeOutputAsync(string output, int representation)
    {
        var playlist = await File.ReadAllTextAsync(Path.Combine(output, LadderLayout.MediaPlaylist(representation)));
        var joined = Path.Combine(output, string.Create(CultureInfo.InvariantCulture, $"joined-{representation}.mp4"));
        await using (var file = File.Create(joined))
        {
            foreach (var part in new[] { HlsPlaylist.ReadInitSegment(playlist)!, HlsPlaylist.ReadSegments(playlist)[0].Uri })
            {
                await file.WriteAsync(await File.ReadAllBytesAsync(Path.Combine(output, part)));
            }
        }

        return await Probe.ProbeAsync(joined, CancellationToken.None);
    }

    /// <summary>Raw ffprobe output for one stream entry of a file (e.g. "pix_fmt").</summary>
    public static async Task<string> StreamEntryAsync(string path, string stream, string entry) =>
        (await TestClips.RunAsync("ffprobe", ["-v", "error", "-select_streams", stream, "-show_entries", $"stream={entry}", "-of", "csv=p=0", path])).Trim();

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
