using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using System.Collections.Immutable;
using Transcoder.Abstractions;
using Transcoder.Captions;
using Transcoder.Media.Packaging;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

/// <summary>A ladder transcoded by the rig: its plan, the packaged title, what the encode measured, and the package folder.</summary>
public sealed record Transcoded(LadderPlan Plan, PackagedTitle Title, EncodedLadder Encoded, string Output)
{
    /// <summary>What the comparison of decoded and declared durations found.</summary>
    public ImmutableArray<JobWarning> Warnings { get; init; } = [];

    /// <summary>Downloads and stills, when the job asked for outputs.</summary>
    public MadeExtras? Extras { get; init; }

    public void Deconstruct(out LadderPlan plan, out PackagedTitle title, out string output) => (plan, title, output) = (Plan, Title, Output);
}

/// <summary>
/// The media path as a worker runs it (probe, limits, plan, one ffmpeg, the packager) on files the tests make
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
        Encoder = EncoderWith(media.Value);
        Passes = new TrackPasses(new FfmpegProcess(media, NullLogger<FfmpegProcess>.Instance), media, Options.Create(Limits));
        Extras = new PackageExtras(new FfmpegProcess(media, NullLogger<FfmpegProcess>.Instance), media, Options.Create(Limits));
    }

    /// <summary>What a job asks for beside its package (downloads, stills).</summary>
    public PackageExtras Extras { get; }

    /// <summary>The passes over the source's tracks beside the encode (text, loudness).</summary>
    public TrackPasses Passes { get; }

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

    /// <summary>A package whose folders are named for <paramref name="name"/>: out-NAME for the package, encode-NAME for the encoder.</summary>
    public LadderPackage PackageFor(LadderPlan plan, string name, IReadOnlyDictionary<string, IReadOnlyList<Cue>>? textCues = null) =>
        new(plan, Path.Combine(Folder, "encode-" + name), Path.Combine(Folder, "out-" + name), textCues);

    /// <summary>
    /// Probes, enforces limits, plans (with the job's track options), reads the text tracks and measures loudness,
    /// encodes, measures the renditions' loudness and packages: the worker's steps without the object store. The
    /// cues of the job's caption files (<c>captions</c>) are given by their index in the track options' list.
    /// </summary>
    public async Task<Transcoded> TranscodeAsync(string input, LadderOptions? options = null, string? name = null, IProgress<double>? progress = null,
        TrackOptions? tracks = null, IReadOnlyList<IReadOnlyList<Cue>>? captions = null, OutputOptions? outputs = null)
    {
        name ??= Path.GetFileName(input);
        var source = await Probe.ProbeAsync(input, CancellationToken.None);
        InputPolicy.Enforce(source, Limits);
        var plan = LadderPlanner.Plan(source, options ?? Ladder, tracks, outputs);
        var text = (await Passes.ReadSourceTextAsync(plan, input, Path.Combine(Folder, "tracks-" + name), CancellationToken.None)).Value;
        foreach (var track in plan.TextTracks.Where(t => t.CaptionIndex is not null))
        {
            text[track.Id] = captions![track.CaptionIndex!.Value];
        }

        plan = (await Passes.MeasureSourceLoudnessAsync(plan, input, CancellationToken.None)).Value;
        using var package = PackageFor(plan, name, text);
        var encoded = await Encoder.EncodeAsync(plan, input, package, progress ?? new Progress<double>(), CancellationToken.None);
        var loudness = await Passes.MeasureRenditionLoudnessAsync(plan, package.EncodeFolder, CancellationToken.None);
        var title = package.Finish(encoded.Quality, loudness.Value);
        var extras = outputs is null ? null : await Extras.MakeAsync(plan, outputs, title, package.Folder,
            (file, _) => Task.FromResult(Path.Combine(package.Folder, file)), input, Path.Combine(Folder, "extras-" + name), CancellationToken.None);
        return new Transcoded(plan, title, encoded, package.Folder) { Warnings = TruncationCheck.Check(source, title.DurationSeconds), Extras = extras };
    }

    /// <summary>ffprobe of one representation's init segment joined with its first media segment.</summary>
    public async Task<SourceInfo> ProbeOutputAsync(string output, string representation)
    {
        var playlist = await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.MediaPlaylist(representation)));
        var joined = Path.Combine(output, $"joined-{representation}.mp4");
        await using (var file = File.Create(joined))
        {
            foreach (var part in new[] { HlsPlaylists.ReadInitSegment(playlist)!, HlsPlaylists.ReadSegments(playlist)[0].Uri })
            {
                await file.WriteAsync(await File.ReadAllBytesAsync(Path.Combine(output, part)));
            }
        }

        return await Probe.ProbeAsync(joined, CancellationToken.None);
    }

    /// <summary>The whole rendition: its init segment and every media segment joined, as a player would play it.</summary>
    public static async Task<string> JoinRenditionAsync(string output, string representation, string path)
    {
        var playlist = await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.MediaPlaylist(representation)));
        await using var file = File.Create(path);
        foreach (var part in HlsPlaylists.ReadSegments(playlist).Select(s => s.Uri).Prepend(HlsPlaylists.ReadInitSegment(playlist)!))
        {
            await file.WriteAsync(await File.ReadAllBytesAsync(Path.Combine(output, part)));
        }

        return path;
    }

    /// <summary>Raw ffprobe output for one stream entry of a file (e.g. "pix_fmt").</summary>
    public static async Task<string> StreamEntryAsync(string path, string stream, string entry) =>
        (await TestClips.RunAsync("ffprobe", ["-v", "error", "-select_streams", stream, "-show_entries", $"stream={entry}", "-of", "csv=p=0", path])).Trim();

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
