using System.Globalization;
using System.Xml.Linq;
using Transcoder.Abstractions;
using Transcoder.Captions;
using Transcoder.Media.Packaging;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

/// <summary>Every track a title carries, through the worker's media steps, on sources generated with ffmpeg.</summary>
public sealed class TrackTests : IDisposable
{
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";
    private readonly MediaRig _rig = new();

    [Fact]
    public async Task MultiTrackSource_EveryAudioAndTextTrackIsARendition_PicturesAreListedAsSkipped()
    {
        var input = await TrackClips.MultiTrackAsync(_rig.Folder);

        var (plan, title, output) = await _rig.TranscodeAsync(input, tracks: new TrackOptions { Surround = true });

        var audio = title.Renditions.Where(r => r.Kind == RenditionKind.Audio).ToList();
        Assert.Equal(["English", "French", "Audio", "Surround", "Surround 5.1"], audio.Select(a => a.Name));
        Assert.Equal(["en", "fr", "und", "en", "en"], audio.Select(a => a.Language));
        Assert.Equal([2, 2, 2, 2, 6], audio.Select(a => a.Channels ?? 0));
        Assert.Equal([true, false, false, false, false], audio.Select(a => a.Default));
        Assert.Equal("6", await MediaRig.StreamEntryAsync(Path.Combine(output, "init-a4.m4s"), "a:0", "channels"));

        var text = title.Renditions.Where(r => r.Kind == RenditionKind.Text).ToList();
        Assert.Equal(["English", "French (forced)"], text.Select(t => t.Name));
        Assert.Equal(["en", "fr"], text.Select(t => t.Language));
        Assert.Equal([false, true], text.Select(t => t.Forced));
        Assert.All(text, t => Assert.Equal("wvtt", t.Codecs));

        var skipped = Assert.Single(plan.Skipped);
        Assert.Equal(("text", "hdmv_pgs_subtitle", "de", SkipReasons.ImageSubtitles), (skipped.Kind, skipped.Codec, skipped.Language, skipped.Reason));

        var master = await File.ReadAllTextAsync(Path.Combine(output, PackageLayout.HlsMaster));
        var media = master.Split('\n').Where(l => l.StartsWith("#EXT-X-MEDIA:", StringComparison.Ordinal)).ToList();
        var groups = media.Where(l => l.Contains("TYPE=AUDIO", StringComparison.Ordinal)).GroupBy(l => Attribute(l, "GROUP-ID")).ToList();
        Assert.Equal(["aac", "aac-surround"], groups.Select(g => g.Key));
        Assert.All(groups, g => Assert.Single(g, l => l.Contains("DEFAULT=YES", StringComparison.Ordinal)));
        Assert.Contains(groups[1], l => Attribute(l, "NAME") == "Surround 5.1" && Attribute(l, "CHANNELS") == "6");
        Assert.Contains(media, l => l.Contains("TYPE=AUDIO", StringComparison.Ordinal) && Attribute(l, "LANGUAGE") == "und");
        Assert.Contains(media, l => l.Contains("TYPE=SUBTITLES", StringComparison.Ordinal) && Attribute(l, "LANGUAGE") == "fr" && l.Contains(",FORCED=YES,", StringComparison.Ordinal));
        var variants = master.Split('\n').Where(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).ToList();
        // Each audio group: every rung, and one audio-only variant of the group's default track.
        var (pictures, audioOnly) = (variants.Where(v => v.Contains("RESOLUTION=", StringComparison.Ordinal)).ToList(), variants.Where(v => !v.Contains("RESOLUTION=", StringComparison.Ordinal)).ToList());
        Assert.Equal(2 * plan.Rungs.Length, pictures.Count);
        Assert.All(pictures, v => Assert.Contains("SUBTITLES=\"subs\"", v, StringComparison.Ordinal));
        Assert.Equal(["aac", "aac-surround"], audioOnly.Select(v => Attribute(v, "AUDIO")));
        Assert.All(audioOnly, v => Assert.StartsWith("mp4a.40.2", Attribute(v, "CODECS"), StringComparison.Ordinal));

        var mpd = XDocument.Load(Path.Combine(output, PackageLayout.DashManifest));
        var sets = mpd.Descendants(Mpd + "AdaptationSet").ToList();
        Assert.Equal(["en", "fr", "und", "en", "en"], sets.Where(s => (string?)s.Attribute("contentType") == "audio").Select(s => (string?)s.Attribute("lang")));
        var textSets = sets.Where(s => (string?)s.Attribute("contentType") == "text").ToList();
        Assert.All(textSets, s => Assert.Equal("text/vtt", (string?)s.Attribute("mimeType")));
        Assert.Equal(["subtitle", "forced-subtitle"], textSets.Select(s => (string?)s.Element(Mpd + "Role")!.Attribute("value")));
        Assert.All(textSets, s => Assert.True(File.Exists(Path.Combine(output, s.Descendants(Mpd + "BaseURL").Single().Value))));
    }

    [Fact]
    public async Task SubtitleCue_ShowsAtItsSourceTime_InTheSegmentThatCoversIt()
    {
        var input = await TrackClips.MultiTrackAsync(_rig.Folder);

        var (plan, title, output) = await _rig.TranscodeAsync(input, name: "cues");

        var english = title.Renditions.First(r => r.Kind == RenditionKind.Text);
        var playlist = await File.ReadAllTextAsync(Path.Combine(output, english.PlaylistUrl));
        Assert.Contains("#EXT-X-ENDLIST", playlist, StringComparison.Ordinal);
        Assert.Null(HlsPlaylists.ReadInitSegment(playlist));
        var video = HlsPlaylists.ReadSegments(await File.ReadAllTextAsync(Path.Combine(output, title.Renditions[0].PlaylistUrl)));
        var segments = HlsPlaylists.ReadSegments(playlist);
        Assert.Equal(video.Select(s => s.Duration), segments.Select(s => s.Duration));

        // The segment whose span holds 10.0 s has the cue, at 10.0 s within a frame (25 fps), on the video's timeline.
        var at = 0.0;
        var holding = segments.First(s => (at += s.Duration) > TrackClips.CueAtTen.TotalSeconds);
        var segmentText = await File.ReadAllTextAsync(Path.Combine(output, holding.Uri));
        Assert.Contains(WebVtt.TimestampMap, segmentText, StringComparison.Ordinal);
        var cue = Assert.Single(CaptionFile.Read(System.Text.Encoding.UTF8.GetBytes(segmentText), holding.Uri, CaptionFormat.WebVtt), c => c.Text == "Ten seconds");
        Assert.InRange(cue.Start.TotalSeconds, 10.0 - 0.04, 10.0 + 0.04);

        var whole = await File.ReadAllTextAsync(Path.Combine(output, english.FileUrl!));
        Assert.Equal(2, CaptionFile.Read(System.Text.Encoding.UTF8.GetBytes(whole), "whole", CaptionFormat.WebVtt).Count);
        var french = await File.ReadAllTextAsync(Path.Combine(output, title.Renditions.Last().FileUrl!));
        Assert.Contains("Café déjà vu", french, StringComparison.Ordinal);
        Assert.Empty(plan.AudioTracks.Where(a => a.Channels > 2));
    }

    [Theory]
    [InlineData("mp4", "mov_text")]
    [InlineData("mkv", "ass")]
    [InlineData("mkv", "webvtt")]
    public async Task TextSubtitlesOfEachCodec_BecomeWebVtt(string container, string codec)
    {
        var srt = Path.Combine(_rig.Folder, "line.srt");
        await File.WriteAllTextAsync(srt, "1\n00:00:01,000 --> 00:00:02,000\nÜber <i>alles</i>\n");
        var input = await _rig.MakeAsync($"text-{codec}.{container}", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=3", "-i", srt,
            "-map", "0:v", "-map", "1", "-c:v", "libx264", "-preset", "ultrafast", "-c:s", codec, "-metadata:s:s:0", "language=ger");

        var (_, title, output) = await _rig.TranscodeAsync(input);

        var text = Assert.Single(title.Renditions, r => r.Kind == RenditionKind.Text);
        Assert.Equal(("de", "German"), (text.Language, text.Name));
        var cue = Assert.Single(CaptionFile.Read(await File.ReadAllBytesAsync(Path.Combine(output, text.FileUrl!)), "out.vtt", CaptionFormat.WebVtt));
        Assert.Contains("Über", cue.Text, StringComparison.Ordinal);
        Assert.InRange(cue.Start.TotalSeconds, 0.96, 1.04);
    }

    [Fact]
    public async Task SelectedLanguages_KeepOnlyThoseTracks_AndTheFirstAskedIsTheDefault()
    {
        var input = await TrackClips.MultiTrackAsync(_rig.Folder);
        var source = await _rig.Probe.ProbeAsync(input, CancellationToken.None);

        var plan = LadderPlanner.Plan(source, MediaRig.Ladder, new TrackOptions { AudioLanguages = ["fr"] });

        var only = Assert.Single(plan.AudioTracks);
        Assert.Equal(("fr", true), (only.Language, only.Default));
        Assert.Equal(3, plan.Skipped.Count(s => s.Reason == SkipReasons.NotSelected));
        var missing = Assert.Throws<MediaException>(() => LadderPlanner.Plan(source, MediaRig.Ladder, new TrackOptions { AudioLanguages = ["ja"] }));
        Assert.Equal(MediaErrorKind.LanguageNotInSource, missing.Kind);
        Assert.Contains("ja", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loudness_TwoPasses_BringEveryTrackToTheTarget()
    {
        var input = await _rig.MakeAsync("loud-quiet.mkv",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=8",
            "-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.02:sample_rate=48000:duration=8",
            "-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.5:sample_rate=48000:duration=8,volume=0.9",
            "-map", "0:v", "-map", "1:a", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "flac",
            "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=spa");
        var target = new LoudnessTarget(-16, -1.5);

        var (plan, title, output) = await _rig.TranscodeAsync(input, tracks: new TrackOptions { Loudness = target });

        var audio = title.Renditions.Where(r => r.Kind == RenditionKind.Audio).ToList();
        Assert.Equal(2, audio.Count);
        Assert.All(audio, a => Assert.NotNull(a.Loudness));
        Assert.True(audio[1].Loudness!.SourceLufs - audio[0].Loudness!.SourceLufs > 15, $"{audio[0].Loudness} / {audio[1].Loudness}");
        foreach (var rendition in audio)
        {
            // Measured again here, by ffmpeg's EBU R128 meter on the rendition as players get it.
            var id = Path.GetFileNameWithoutExtension(rendition.PlaylistUrl)["media_".Length..];
            var joined = await MediaRig.JoinRenditionAsync(output, id, Path.Combine(_rig.Folder, $"loud-{id}.mp4"));
            var (integrated, truePeak) = await Ebur128Async(joined);
            Assert.InRange(integrated, target.TargetLufs - 1, target.TargetLufs + 1);
            Assert.True(truePeak <= target.TruePeakDb + 0.5, $"{rendition.Name}: true peak {truePeak} dBTP");
            Assert.InRange(rendition.Loudness!.OutputLufs, integrated - 0.5, integrated + 0.5);
        }

        Assert.All(plan.AudioTracks, a => Assert.NotNull(a.Loudness?.Source));
    }

    [Theory]
    [InlineData("smpte2084")]
    [InlineData("arib-std-b67")]
    public async Task HdrSource_IsToneMappedToBt709_MidGreyStaysNearItsSdrReference(string transfer)
    {
        var hdr = await TrackClips.HdrGreyAsync(_rig.Folder, transfer);
        var sdr = await TrackClips.SdrGreyAsync(_rig.Folder);

        var (plan, title, output) = await _rig.TranscodeAsync(hdr);

        Assert.Equal(transfer, plan.ToneMapFrom);
        var joined = await MediaRig.JoinRenditionAsync(output, "v0", Path.Combine(_rig.Folder, $"tonemapped-{transfer}.mp4"));
        Assert.Equal("bt709", await MediaRig.StreamEntryAsync(joined, "v:0", "color_transfer"));
        Assert.Equal("yuv420p", await MediaRig.StreamEntryAsync(joined, "v:0", "pix_fmt"));
        Assert.Equal((320, 180), (title.Renditions[0].Width, title.Renditions[0].Height));

        // The patch's mean luma against the SDR picture the HDR clip was made from: within 4 % of full scale.
        const string patch = "crop=120:60:100:60";
        var reference = await TrackClips.MeanLumaAsync(sdr, patch);
        var mapped = await TrackClips.MeanLumaAsync(joined, patch);
        Assert.InRange(mapped, reference - 10, reference + 10);
    }

    [Fact]
    public async Task SdrSource_IsNotToneMapped()
    {
        var (plan, _, _) = await _rig.TranscodeAsync(await TrackClips.SdrGreyAsync(_rig.Folder));

        Assert.Null(plan.ToneMapFrom);
    }

    [Fact]
    public async Task Mp4WithItsIndexFirst_CutShort_CompletesWithTheDecodableSpan_AndSaysSo()
    {
        var cut = await CutShortAsync("cut-half.mp4", bytes => bytes.Length / 2);

        var transcoded = await _rig.TranscodeAsync(cut);

        var warning = Assert.Single(transcoded.Warnings);
        Assert.Equal(JobErrorCodes.InputTruncated, warning.Code);
        Assert.Equal(8, warning.DeclaredSeconds!.Value, 1);
        Assert.InRange(warning.DecodedSeconds!.Value, 2, 6);
        Assert.InRange(transcoded.Title.DurationSeconds, 2, 6);
    }

    [Fact]
    public async Task Mp4WithItsIndexFirst_CutRightAfterIt_FailsAsTruncated()
    {
        var cut = await CutShortAsync("cut-at-index.mp4", bytes => bytes.AsSpan().IndexOf("mdat"u8) + 500);

        var ex = await Assert.ThrowsAsync<MediaException>(() => _rig.TranscodeAsync(cut));

        Assert.Equal(MediaErrorKind.InputTruncated, ex.Kind);
        Assert.True(ex.IsPermanent);
        Assert.Contains("declares 8 s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WholeSource_HasNoTruncationWarning()
    {
        var transcoded = await _rig.TranscodeAsync(await TestClips.VideoAsync(_rig.Folder, 320, 180, 4));

        Assert.Empty(transcoded.Warnings);
    }

    [Theory]
    [InlineData(639, 359, 638, 358)]
    [InlineData(427, 241, 426, 240)]
    [InlineData(359, 641, 358, 640)]
    public async Task SourceBetweenRungs_ItsOwnSizeRungKeepsSquarePixels(int width, int height, int rungWidth, int rungHeight)
    {
        var input = await _rig.MakeAsync(string.Create(CultureInfo.InvariantCulture, $"odd-{width}x{height}.mp4"),
            "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=size={width}x{height}:rate=25:duration=1"),
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p");

        var (_, title, output) = await _rig.TranscodeAsync(input);

        Assert.Equal((rungWidth, rungHeight), (title.Renditions[0].Width, title.Renditions[0].Height));
        var joined = await MediaRig.JoinRenditionAsync(output, "v0", Path.Combine(_rig.Folder, $"odd-{width}.mp4"));
        Assert.Contains(await MediaRig.StreamEntryAsync(joined, "v:0", "sample_aspect_ratio"), new[] { "1:1", "N/A", "0:1" });
    }

    /// <summary>An 8 s MP4 with its index first (as "faststart" writes it), cut to the first bytes <paramref name="keep"/> says.</summary>
    private async Task<string> CutShortAsync(string name, Func<byte[], int> keep)
    {
        var whole = await _rig.MakeAsync("whole-faststart.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=8",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=8", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
            "-movflags", "+faststart");
        var bytes = await File.ReadAllBytesAsync(whole);
        var cut = Path.Combine(_rig.Folder, name);
        await File.WriteAllBytesAsync(cut, bytes[..keep(bytes)]);
        return cut;
    }

    private static string? Attribute(string line, string name)
    {
        var at = line.IndexOf(name + "=", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var value = line[(at + name.Length + 1)..];
        return value.StartsWith('"') ? value[1..value.IndexOf('"', 1)] : value.Split(',')[0];
    }

    /// <summary>Integrated loudness and true peak of a file as ffmpeg's ebur128 filter measures them.</summary>
    private static async Task<(double Integrated, double TruePeak)> Ebur128Async(string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-hide_banner", "-nostats", "-i", path, "-map", "0:a", "-af", "ebur128=peak=true", "-f", "null", "-" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var summary = stderr[stderr.LastIndexOf("Summary:", StringComparison.Ordinal)..];
        return (Number(summary, "I:"), Number(summary, "Peak:"));
    }

    private static double Number(string text, string label)
    {
        var rest = text[(text.IndexOf(label, StringComparison.Ordinal) + label.Length)..].TrimStart();
        return double.Parse(rest[..rest.IndexOf(' ')], NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public void Dispose() => _rig.Dispose();
}
