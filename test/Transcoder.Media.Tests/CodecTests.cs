using System.Globalization;
using System.Xml.Linq;
using Transcoder.Abstractions;
using Transcoder.Media.Packaging;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

/// <summary>HEVC and AV1 beside H.264 from one decode, into one package: sample entries, codec strings, aligned segments.</summary>
public sealed class CodecTests : IDisposable
{
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";
    private readonly MediaRig _rig = new();

    [Fact]
    public async Task ThreeCodecs_EachSegmentCarriesItsSampleEntry_AndTheCodecsStringTheManifestsClaim_OnOneGrid()
    {
        var input = await TestClips.VideoAsync(_rig.Folder, 640, 360, 4);
        var outputs = new OutputOptions { Codecs = [OutputCodec.H264, OutputCodec.Hevc, OutputCodec.Av1], Renditions = [new(360), new(180)] };

        var (plan, title, output) = await _rig.TranscodeAsync(input, outputs: outputs);

        var video = title.Renditions.Where(r => r.Kind == RenditionKind.Video).ToList();
        Assert.Equal(["v0", "v1", "vh0", "vh1", "va0", "va1"], plan.Videos.Select(v => v.Id));
        Assert.Equal([360, 180, 360, 180, 360, 180], video.Select(v => v.Height ?? 0));

        var master = await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.HlsMaster));
        var mpd = XDocument.Load(Path.Combine(output, PackageLayout.DashManifest));
        IReadOnlyList<HlsSegment>? grid = null;
        foreach (var (planned, rendition) in plan.Videos.Zip(video))
        {
            var joined = await MediaRig.JoinRenditionAsync(output, planned.Id, Path.Combine(_rig.Folder, planned.Id + ".mp4"));
            var tag = await MediaRig.StreamEntryAsync(joined, "v:0", "codec_tag_string");
            var level = int.Parse(await MediaRig.StreamEntryAsync(joined, "v:0", "level"), CultureInfo.InvariantCulture);
            var profile = await MediaRig.StreamEntryAsync(joined, "v:0", "profile");

            // The codec string, made here from what ffprobe reads of the stream, as RFC 6381 and its codec bindings spell it.
            var expected = planned.Codec.Name switch
            {
                // x264 signals the simplest profile its tools fit (ultrafast uses none of High's).
                OutputCodec.H264 => $"avc1.{(profile == "High" ? "6400" : profile == "Main" ? "4d40" : "42c0")}{level:x2}",
                // Main (compatible with Main 10), Main tier, x265's constraint flags: progressive source, frame only.
                OutputCodec.Hevc => $"hvc1.1.6.L{level}.90",
                _ => $"av01.0.{level:00}M.08",
            };
            Assert.Equal(expected[..4], tag);
            Assert.Equal(expected, rendition.Codecs);
            Assert.Contains($"CODECS=\"{expected},mp4a.40.2\"", master, StringComparison.Ordinal);
            Assert.Equal(expected, (string?)mpd.Descendants(Mpd + "Representation").Single(r => (string?)r.Attribute("id") == planned.Id).Attribute("codecs"));
            Assert.Equal(120, await Pictures.CountAsync(joined));

            // One segment grid for every rendition of every codec: players switch between them on any boundary.
            var segments = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(output, rendition.PlaylistUrl)));
            grid ??= segments;
            Assert.Equal(grid.Select(s => s.Duration), segments.Select(s => s.Duration));
        }

        // A package with AV1 keeps every segment one GOP long (SVT-AV1 takes no forced keyframes here).
        Assert.Equal([2.0, 2.0], grid!.Select(s => s.Duration));

        // The DASH manifest: one adaptation set per codec, the most efficient preferred.
        var sets = mpd.Descendants(Mpd + "AdaptationSet").Where(a => (string?)a.Attribute("contentType") == "video").ToList();
        Assert.Equal(["avc1", "hvc1", "av01"], sets.Select(s => ((string)s.Element(Mpd + "Representation")!.Attribute("codecs")!)[..4]));
        Assert.Equal(["1", "2", "3"], sets.Select(s => (string?)s.Attribute("selectionPriority")));
    }

    [Fact]
    public async Task EveryPackage_HasAnAudioOnlyVariant_OfItsDefaultTrack()
    {
        var input = await TestClips.VideoAsync(_rig.Folder, 320, 180, 2);

        var (_, title, output) = await _rig.TranscodeAsync(input);

        var lines = (await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.HlsMaster))).Split('\n');
        var audioOnly = Assert.Single(lines.Select((l, i) => (l, i)), x => x.l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && !x.l.Contains("RESOLUTION", StringComparison.Ordinal));
        var audio = title.Renditions.Single(r => r.Kind == RenditionKind.Audio);
        Assert.Contains($"BANDWIDTH={audio.Bandwidth},", audioOnly.l, StringComparison.Ordinal);
        Assert.Contains("CODECS=\"mp4a.40.2\",AUDIO=\"aac\"", audioOnly.l, StringComparison.Ordinal);
        Assert.Equal(audio.PlaylistUrl, lines[audioOnly.i + 1]);
    }

    [Fact]
    public async Task Hdr10Source_KeepsPqAndItsMetadata_OnHevcAndAv1_BesideABt709H264Ladder()
    {
        var input = await TrackClips.Hdr10Async(_rig.Folder);
        var outputs = new OutputOptions { Codecs = [OutputCodec.H264, OutputCodec.Hevc, OutputCodec.Av1] };

        var (plan, title, output) = await _rig.TranscodeAsync(input, outputs: outputs);

        Assert.Equal("smpte2084", plan.ToneMapFrom);
        Assert.Equal(new MasteringDisplay(0.265, 0.69, 0.15, 0.06, 0.68, 0.32, 0.3127, 0.329, 1000, 0.0001), plan.Hdr!.MasteringDisplay);
        Assert.Equal((1000, 400), (plan.Hdr.MaxCll, plan.Hdr.MaxFall));

        var h264 = await MediaRig.JoinRenditionAsync(output, "v0", Path.Combine(_rig.Folder, "hdr-v0.mp4"));
        Assert.Equal(("bt709", "yuv420p"), (await MediaRig.StreamEntryAsync(h264, "v:0", "color_transfer"), await MediaRig.StreamEntryAsync(h264, "v:0", "pix_fmt")));
        var master = await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.HlsMaster));
        var mpd = XDocument.Load(Path.Combine(output, PackageLayout.DashManifest));
        foreach (var id in new[] { "vh0", "va0" })
        {
            var joined = await MediaRig.JoinRenditionAsync(output, id, Path.Combine(_rig.Folder, $"hdr-{id}.mp4"));
            Assert.Equal("smpte2084", await MediaRig.StreamEntryAsync(joined, "v:0", "color_transfer"));
            Assert.Equal("bt2020", await MediaRig.StreamEntryAsync(joined, "v:0", "color_primaries"));
            Assert.Equal("yuv420p10le", await MediaRig.StreamEntryAsync(joined, "v:0", "pix_fmt"));

            // The mastering display and light levels, as a decoder reads them off the first frame.
            var side = await TestClips.RunAsync("ffprobe", ["-v", "error", "-read_intervals", "%+#1", "-show_frames", "-show_entries", "frame=side_data_list", "-of", "json", joined]);
            // (AV1 codes them in its own fixed-point units: the same display, within their precision.)
            var (display, light) = HdrMetadata.Read(side);
            Assert.NotNull(display);
            double[] expected = [0.265, 0.69, 0.15, 0.06, 0.68, 0.32, 0.3127, 0.329];
            double[] actual = [display.GreenX, display.GreenY, display.BlueX, display.BlueY, display.RedX, display.RedY, display.WhiteX, display.WhiteY];
            Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 0.0005));
            Assert.Equal(1000, display.MaxLuminance, 0.5);
            Assert.InRange(display.MinLuminance, 0.00005, 0.0002);
            Assert.Equal((1000, 400), light);

            var rendition = title.Renditions.Single(r => r.PlaylistUrl == PackageLayout.MediaPlaylist(id));
            Assert.Equal("PQ", rendition.VideoRange);
            var variant = master.Split('\n').Single(l => l.Contains($"CODECS=\"{rendition.Codecs}\"", StringComparison.Ordinal));
            Assert.Contains("VIDEO-RANGE=PQ", variant, StringComparison.Ordinal);
            var set = mpd.Descendants(Mpd + "Representation").Single(r => (string?)r.Attribute("id") == id).Parent!;
            Assert.Contains(set.Elements(Mpd + "EssentialProperty"), e => (string?)e.Attribute("schemeIdUri") == "urn:mpeg:mpegB:cicp:TransferCharacteristics" && (string?)e.Attribute("value") == "16");
        }

        // Main 10, and AV1's 10-bit string with its colour: 4:2:0 (its chroma position as coded), BT.2020, PQ, BT.2020 non-constant, limited range.
        Assert.StartsWith("hvc1.2.4.L", title.Renditions.Single(r => r.PlaylistUrl == PackageLayout.MediaPlaylist("vh0")).Codecs, StringComparison.Ordinal);
        Assert.Matches(@"^av01\.0\.\d\dM\.10\.0\.11[0-3]\.09\.16\.09\.0$", title.Renditions.Single(r => r.PlaylistUrl == PackageLayout.MediaPlaylist("va0")).Codecs);
        Assert.Contains(master.Split('\n'), l => l.Contains("avc1.", StringComparison.Ordinal) && l.Contains("VIDEO-RANGE=SDR", StringComparison.Ordinal));
    }

    public void Dispose() => _rig.Dispose();
}
