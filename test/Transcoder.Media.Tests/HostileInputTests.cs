using System.Text;

namespace Transcoder.Media.Tests;

/// <summary>Bad and hostile inputs fail fast with a kind the job reports, and read nothing they point at.</summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly MediaRig _rig = new();

    private async Task<MediaException> FailAsync(string input) =>
        await Assert.ThrowsAsync<MediaException>(() => _rig.TranscodeAsync(input));

    /// <summary>Every byte ffmpeg or ffprobe wrote anywhere in the rig's folder, to search for a canary.</summary>
    private string AllOutputBytes() =>
        string.Concat(Directory.EnumerateFiles(_rig.Folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".canary", StringComparison.Ordinal) && !f.EndsWith(".m3u8", StringComparison.Ordinal) && !f.EndsWith(".txt", StringComparison.Ordinal))
            .Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));

    [Theory]
    [InlineData("playlist.m3u8")]
    [InlineData("playlist-disguised.mp4")]
    public async Task HlsPlaylistPointingAtALocalFile_IsRefusedAndLeaksNothing(string name)
    {
        var canary = Path.Combine(_rig.Folder, "secret.canary");
        var marker = $"CANARY-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync(canary, marker);
        var playlist = Path.Combine(_rig.Folder, name);
        await File.WriteAllTextAsync(playlist, $"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://{canary}\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n");

        var ex = await FailAsync(playlist);

        Assert.Equal(MediaErrorKind.UnsupportedContainer, ex.Kind);
        Assert.True(ex.IsPermanent);
        Assert.DoesNotContain(marker, AllOutputBytes(), StringComparison.Ordinal);
        Assert.DoesNotContain("root:", AllOutputBytes(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcatListInsideAnotherName_IsRefused()
    {
        var canary = Path.Combine(_rig.Folder, "secret.canary");
        await File.WriteAllTextAsync(canary, "CANARY");
        var list = Path.Combine(_rig.Folder, "list.mov");
        await File.WriteAllTextAsync(list, $"ffconcat version 1.0\nfile '{canary}'\nfile '/etc/passwd'\n");

        var ex = await FailAsync(list);

        Assert.Contains(ex.Kind, new[] { MediaErrorKind.UnsupportedContainer, MediaErrorKind.InputUnreadable });
        Assert.DoesNotContain("root:", AllOutputBytes(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HlsPlaylistInsideAMatroskaAttachment_IsNotFollowed()
    {
        // A real video with a playlist riding along as an attachment: the attachment is never opened.
        var playlist = Path.Combine(_rig.Folder, "inner.m3u8");
        await File.WriteAllTextAsync(playlist, "#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n");
        var input = await _rig.MakeAsync("carrier.mkv", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "1",
            "-attach", playlist, "-metadata:s:t", "mimetype=application/vnd.apple.mpegurl", "-c:v", "libx264", "-preset", "ultrafast");

        var (_, ladder, _) = await _rig.TranscodeAsync(input);

        Assert.Single(ladder.Renditions);
        Assert.DoesNotContain("root:", AllOutputBytes(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedFile_IsUnreadable()
    {
        var whole = await _rig.MakeAsync("whole.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast");
        var bytes = await File.ReadAllBytesAsync(whole);
        var truncated = Path.Combine(_rig.Folder, "truncated.mp4");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);

        var ex = await FailAsync(truncated);

        Assert.Equal(MediaErrorKind.InputUnreadable, ex.Kind);
        // ffprobe names the file by its full scratch path; what the tenant is shown names it by its last segment.
        Assert.Contains(_rig.Folder, ex.StderrTail, StringComparison.Ordinal);
        var shown = TenantDiagnostics.Scrub(ex.StderrTail);
        Assert.Contains("moov atom not found", shown, StringComparison.Ordinal);
        Assert.DoesNotContain(_rig.Folder, shown, StringComparison.Ordinal);
        Assert.DoesNotContain("/", shown, StringComparison.Ordinal);
        Assert.DoesNotMatch("0x[0-9a-f]{6,}", shown);
    }

    [Fact]
    public async Task ImageRenamedMp4_IsRefused()
    {
        var image = await _rig.MakeAsync("picture.png", "-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1");
        var renamed = Path.Combine(_rig.Folder, "picture.mp4");
        File.Move(image, renamed);

        var ex = await FailAsync(renamed);

        Assert.Contains(ex.Kind, new[] { MediaErrorKind.UnsupportedContainer, MediaErrorKind.InputUnreadable });
        Assert.True(ex.IsPermanent);
    }

    [Fact]
    public async Task TextRenamedMp4_IsRefused()
    {
        var text = Path.Combine(_rig.Folder, "notes.mp4");
        await File.WriteAllTextAsync(text, "just some words\nin a text file\n");

        var ex = await FailAsync(text);

        Assert.Contains(ex.Kind, new[] { MediaErrorKind.UnsupportedContainer, MediaErrorKind.InputUnreadable });
    }

    [Fact]
    public async Task InputsOverTheLimits_AreRefusedBeforeDecoding()
    {
        var input = await _rig.MakeAsync("limits.mp4", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=60", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast");
        var source = await _rig.Probe.ProbeAsync(input, CancellationToken.None);

        Assert.Equal(MediaErrorKind.InputTooLong, Assert.Throws<MediaException>(() => InputPolicy.Enforce(source, new InputLimits { MaxDuration = TimeSpan.FromSeconds(2) })).Kind);
        Assert.Equal(MediaErrorKind.InputTooLarge, Assert.Throws<MediaException>(() => InputPolicy.Enforce(source, new InputLimits { MaxPixels = 640 * 359 })).Kind);
        Assert.Equal(MediaErrorKind.InputTooLarge, Assert.Throws<MediaException>(() => InputPolicy.Enforce(source, new InputLimits { MaxFrameRate = 50 })).Kind);
        Assert.Equal(MediaErrorKind.InputTooLarge, Assert.Throws<MediaException>(() => InputPolicy.Enforce(source, new InputLimits { MaxBytes = 100 })).Kind);
        InputPolicy.Enforce(source, new InputLimits());
    }

    [Fact]
    public async Task EncodeOverItsTimeLimit_IsStoppedAndReportedAsTimedOut()
    {
        var (input, plan) = await SlowEncodeAsync("long.mp4");
        var encoder = _rig.EncoderWith(new MediaOptions
        {
            ScratchRoot = _rig.Folder,
            EncodeTimeFloor = TimeSpan.FromSeconds(1),
            EncodeTimeFactor = 0,
            StopGracePeriod = TimeSpan.FromMilliseconds(500),
        });
        using var package = _rig.PackageFor(plan, "timed-out");
        var output = package.EncodeFolder;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MediaException>(() => encoder.EncodeAsync(plan, input, package, new Progress<double>(), CancellationToken.None));

        Assert.Equal(MediaErrorKind.TimedOut, ex.Kind);
        Assert.False(ex.IsPermanent);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"stopping took {clock.Elapsed}");
        Assert.DoesNotContain(System.Diagnostics.Process.GetProcessesByName("ffmpeg"), p => CommandLineOf(p).Contains(output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EncodeOverItsCpuLimit_IsStoppedByTheKernel()
    {
        var (input, plan) = await SlowEncodeAsync("busy.mp4");
        var encoder = _rig.EncoderWith(new MediaOptions
        {
            ScratchRoot = _rig.Folder,
            EncodeTimeFloor = TimeSpan.FromSeconds(1),
            EncodeTimeFactor = 100,
            CpuTimeFactor = 0.01,
        });

        using var package = _rig.PackageFor(plan, "cpu-capped");
        var ex = await Assert.ThrowsAsync<MediaException>(() => encoder.EncodeAsync(plan, input, package, new Progress<double>(), CancellationToken.None));

        Assert.True(ex.Kind == MediaErrorKind.TimedOut, $"{ex.Kind}: {ex.Message} {ex.StderrTail}");
        Assert.Contains("CPU limit", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A 20 s 720p clip planned at a slow preset: an encode that takes far longer than any test limit.</summary>
    private async Task<(string Input, LadderPlan Plan)> SlowEncodeAsync(string name)
    {
        var input = await _rig.MakeAsync(name, "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "20", "-c:v", "libx264", "-preset", "ultrafast");
        var source = await _rig.Probe.ProbeAsync(input, CancellationToken.None);
        return (input, LadderPlanner.Plan(source, new LadderOptions { Preset = "slow" }));
    }

    private static string CommandLineOf(System.Diagnostics.Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose() => _rig.Dispose();
}
