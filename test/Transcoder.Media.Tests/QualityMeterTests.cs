namespace Transcoder.Media.Tests;

public sealed class QualityMeterTests : IDisposable
{
    private readonly MediaRig _rig = new();

    [Fact]
    public async Task Measure_ReportsEveryRungAndTellsAGoodEncodeFromABadOne()
    {
        var input = await _rig.MakeAsync("source.mp4", "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=30", "-t", "4",
            "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p");

        var (plan, _, goodOut) = await _rig.TranscodeAsync(input, new LadderOptions { Preset = "ultrafast", Crf = 18 }, "good");
        var (_, _, badOut) = await _rig.TranscodeAsync(input, new LadderOptions { Preset = "ultrafast", Crf = 45 }, "bad");
        var good = await _rig.Quality.MeasureAsync(plan, input, goodOut, Path.Combine(_rig.Folder, "q-good"), CancellationToken.None);
        var bad = await _rig.Quality.MeasureAsync(plan, input, badOut, Path.Combine(_rig.Folder, "q-bad"), CancellationToken.None);

        Assert.Equal(2, good.Renditions.Count);
        Assert.All(good.Renditions, q =>
        {
            Assert.InRange(q.Psnr, 30, 100);
            Assert.InRange(q.Ssim, 0.9, 1);
            Assert.Equal(120, q.SampledFrames);
        });
        Assert.True(good.Renditions[0].Psnr > bad.Renditions[0].Psnr + 5, $"{good.Renditions[0].Psnr} vs {bad.Renditions[0].Psnr}");
        Assert.True(good.Renditions[0].Ssim > bad.Renditions[0].Ssim);
        Assert.True(good.CpuSeconds > 0);
        Assert.False(Directory.EnumerateFiles(goodOut).Any(f => f.EndsWith(".log", StringComparison.Ordinal)), "measurement files must stay out of the published folder");
    }

    [Fact]
    public void Windows_LongVideo_AreFourShortFrameAlignedWindowsInside()
    {
        var plan = LadderPlanner.Plan(Fixture.Probe("landscape-1080p"), new LadderOptions()) with { Duration = TimeSpan.FromSeconds(600) };

        var windows = QualityMeter.Windows(plan);

        Assert.Equal(4, windows.Count);
        Assert.All(windows, w =>
        {
            Assert.Equal(3, w.Length);
            Assert.InRange(w.Start, 0, 600 - w.Length);
            Assert.Equal(Math.Round(w.Start * 30), w.Start * 30, 6);
        });
        Assert.Equal((0, 10.0), QualityMeter.Windows(plan with { Duration = TimeSpan.FromSeconds(10) })[0]);
    }

    [Fact]
    public void Summarize_PsnrComesFromTheMeanSquaredError()
    {
        string[] psnr = ["n:1 mse_avg:1.00 mse_y:1.0 psnr_avg:48.13", "n:2 mse_avg:3.00 mse_y:3.0 psnr_avg:43.36"];
        string[] ssim = ["n:1 Y:0.99 U:0.99 V:0.99 All:0.990000 (20.0)", "n:2 Y:0.97 All:0.970000 (15.2)"];

        var quality = QualityMeter.Summarize(psnr, ssim);

        Assert.Equal(Math.Round(10 * Math.Log10(255.0 * 255 / 2), 2), quality.Psnr);
        Assert.Equal(0.98, quality.Ssim, 5);
        Assert.Equal(2, quality.SampledFrames);
    }

    public void Dispose() => _rig.Dispose();
}
