using System.Globalization;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

public sealed class EncoderQualityTests : IDisposable
{
    private readonly MediaRig _rig = new();

    [Fact]
    public async Task Encode_ReportsQualityOfEveryRungAndTellsAGoodEncodeFromABadOne()
    {
        var input = await _rig.MakeAsync("source.mp4", "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=30", "-t", "4",
            "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p");

        var good = (await _rig.TranscodeAsync(input, new LadderOptions { Preset = "ultrafast", Crf = 18 }, "good")).Encoded;
        var bad = (await _rig.TranscodeAsync(input, new LadderOptions { Preset = "ultrafast", Crf = 45 }, "bad")).Encoded;

        Assert.Equal(2, good.Quality.Count);
        Assert.All(good.Quality, q =>
        {
            Assert.InRange(q.Psnr, 30, 100);
            Assert.InRange(q.Ssim, 0.9, 1);
        });
        Assert.True(good.Quality[0].Psnr > bad.Quality[0].Psnr + 5, $"{good.Quality[0].Psnr} vs {bad.Quality[0].Psnr}");
        Assert.True(good.Quality[0].Ssim > bad.Quality[0].Ssim);
    }

    /// <summary>
    /// The encoder's figures belong to the right rung and agree with ffmpeg's psnr filter run afterwards on
    /// the published segments against the source scaled as the encode scaled it. The 360p rung is starved of
    /// bits so the two rungs' PSNR are far apart and a swapped mapping could not pass.
    /// </summary>
    [Fact]
    public async Task Encode_QualityMatchesAnIndependentMeasurementRungByRung()
    {
        var input = await _rig.MakeAsync("noisy.mp4", "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=30", "-t", "3",
            "-vf", "noise=alls=8:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", "-pix_fmt", "yuv420p");
        var options = new LadderOptions
        {
            Preset = "ultrafast",
            Rungs =
            [
                new() { ShortSide = 480, Bitrate = 4_000_000, MaxRate = 5_000_000, BufferSize = 10_000_000 },
                new() { ShortSide = 360, Bitrate = 60_000, MaxRate = 80_000, BufferSize = 160_000 },
            ],
        };

        var (plan, title, output) = await _rig.TranscodeAsync(input, options);

        var measured = new List<RenditionQuality>();
        for (var i = 0; i < plan.Rungs.Length; i++)
        {
            measured.Add(await FilterQualityAsync(input, output, i, plan.Rungs[i]));
            Assert.InRange(title.Renditions[i].Psnr!.Value, measured[i].Psnr - 0.3, measured[i].Psnr + 0.3);
            Assert.InRange(title.Renditions[i].Ssim!.Value, measured[i].Ssim - 0.01, measured[i].Ssim + 0.01);
        }

        Assert.True(measured[0].Psnr > measured[1].Psnr + 3, $"the rungs' PSNR should differ: {measured[0]} vs {measured[1]}");
        Assert.True(measured[0].Ssim > measured[1].Ssim + 0.03, $"the rungs' SSIM should differ: {measured[0]} vs {measured[1]}");
    }

    [Fact]
    public void Summary_MapsEncodersToRungsInTheOrderTheyOpened()
    {
        var summary = new EncoderSummary();
        string[] lines =
        [
            "[libx264 @ 0x5500000000b0] profile High, level 3.1, 4:2:0, 8-bit",
            "[libx264 @ 0x5500000000a0] profile High, level 3.0, 4:2:0, 8-bit",
            "frame=   90 fps= 30 q=-1.0 Lsize=N/A time=00:00:03.00 bitrate=N/A speed=1x",
            "[libx264 @ 0x5500000000a0] SSIM Mean Y:0.9000000 (10.000db)",
            "[libx264 @ 0x5500000000a0] PSNR Mean Y:31.000 U:33.000 V:33.000 Avg:31.500 Global:31.250 kb/s:80.00",
            "[libx264 @ 0x5500000000b0] SSIM Mean Y:0.9876543 (19.082db)",
            "[libx264 @ 0x5500000000b0] PSNR Mean Y:41.613 U:40.167 V:39.913 Avg:41.004 Global:40.677 kb/s:3260.56",
        ];
        foreach (var line in lines)
        {
            summary.Add(line);
        }

        Assert.Equal([new RenditionQuality(40.68, 0.98765), new RenditionQuality(31.25, 0.9)], summary.Renditions(2));
    }

    [Fact]
    public void Summary_MissingReport_FailsTheEncode()
    {
        var summary = new EncoderSummary();
        summary.Add("[libx264 @ 0x1] profile High, level 3.1, 4:2:0, 8-bit");
        summary.Add("[libx264 @ 0x1] SSIM Mean Y:0.9000000 (10.000db)");

        var error = Assert.Throws<MediaException>(() => summary.Renditions(1));
        Assert.Equal(MediaErrorKind.EncodeFailed, error.Kind);
    }

    /// <summary>
    /// PSNR (from the mean MSE over all planes and frames) and luma SSIM (mean over frames) of one rendition,
    /// its init and media segments joined, by ffmpeg's psnr and ssim filters.
    /// </summary>
    private async Task<RenditionQuality> FilterQualityAsync(string input, string output, int representation, PlannedRung rung)
    {
        var joined = await MediaRig.JoinRenditionAsync(output, Packaging.PackageLayout.VideoId(representation),
            Path.Combine(_rig.Folder, string.Create(CultureInfo.InvariantCulture, $"rendition-{representation}.mp4")));

        var psnr = Path.Combine(_rig.Folder, string.Create(CultureInfo.InvariantCulture, $"psnr-{representation}.log"));
        var ssim = Path.Combine(_rig.Folder, string.Create(CultureInfo.InvariantCulture, $"ssim-{representation}.log"));
        await TestClips.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", input, "-i", joined, "-filter_complex",
            string.Create(CultureInfo.InvariantCulture,
                $"[0:v]fps=30/1,format=yuv420p,scale={rung.Width}:{rung.Height}:flags=bicubic,setsar=1,split[r1][r2];[1:v]setsar=1,split[o1][o2];[o1][r1]psnr=stats_file={psnr};[o2][r2]ssim=stats_file={ssim}"),
            "-f", "null", "-"]);
        var mse = await MeanAsync(psnr, "mse_avg:");
        return new RenditionQuality(10 * Math.Log10(255.0 * 255.0 / mse), await MeanAsync(ssim, "Y:"));
    }

    private static async Task<double> MeanAsync(string statsFile, string field) =>
        (await File.ReadAllLinesAsync(statsFile))
            .Select(line => line.Split(' ').First(f => f.StartsWith(field, StringComparison.Ordinal))[field.Length..])
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture))
            .Average();

    public void Dispose() => _rig.Dispose();
}
