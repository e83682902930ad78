namespace Transcoder.Media.Tests;

public class TenantDiagnosticsTests
{
    [Theory]
    [InlineData("/var/lib/transcoder/scratch/3f2a/input: Invalid data found when processing input", "input: Invalid data found when processing input")]
    [InlineData("Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '/data/scratch/job-1/input':", "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'input':")]
    [InlineData("Error opening output file:///srv/scratch/a/720p.mp4.", "Error opening output 720p.mp4.")]
    [InlineData("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d5c1a2b2c0] moov atom not found", "[mov,mp4,m4a,3gp,3g2,mj2] moov atom not found")]
    [InlineData("Could not connect to worker-7.internal: refused", "Could not connect to [host].internal: refused")]
    [InlineData("Stream #0:0: Video: h264, 1920x1080, 25/1 fps, 1/90000 tbn", "Stream #0:0: Video: h264, 1920x1080, 25/1 fps, 1/90000 tbn")]
    [InlineData("Server returned 404 for https://media.example.com/videos/a.mp4", "Server returned 404 for https://media.example.com/videos/a.mp4")]
    public void Scrub_KeepsWhatConcernsTheInput_MasksTheSilo(string line, string expected) =>
        Assert.Equal(expected, TenantDiagnostics.Scrub(line, "worker-7"));

    [Fact]
    public void Scrub_DropsTheBanner()
    {
        var tail = string.Join('\n',
            "ffprobe version 5.1.6-0+deb12u1 Copyright (c) 2007-2024 the FFmpeg developers",
            "  built with gcc 12 (Debian 12.2.0-14)",
            "  configuration: --prefix=/usr --extra-version=0+deb12u1 --toolchain=hardened",
            "  libavutil      57. 28.100 / 57. 28.100",
            "  libswresample   4.  7.100 /  4.  7.100",
            "input: Invalid data found when processing input");

        Assert.Equal("input: Invalid data found when processing input", TenantDiagnostics.Scrub(tail, "vm"));
    }

    [Fact]
    public void Scrub_KeepsTheEndOfALongTail() =>
        Assert.EndsWith("last", TenantDiagnostics.Scrub(new string('x', 10_000) + "\nlast", "vm"), StringComparison.Ordinal);

    [Fact]
    public void Scrub_NothingLeft_IsNull() => Assert.Null(TenantDiagnostics.Scrub("  built with gcc 12", "vm"));
}
