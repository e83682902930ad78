using Transcoder.Abstractions;

namespace Transcoder.Worker.Tests;

public class JobCostsTests
{
    [Fact]
    public void Price_OneVcpuHourOverTwoMinutesOfFourRenditions()
    {
        var cost = JobCosts.Price(cpuSeconds: 3600, durationSeconds: 120, renditions: 4, dollarsPerVcpuHour: 0.05m);

        Assert.Equal(0.05m, cost.Dollars);
        Assert.Equal(2, cost.ContentMinutes);
        Assert.Equal(8, cost.OutputMinutes);
        Assert.Equal(0.00625m, cost.DollarsPerOutputMinute);
        Assert.Equal(3600, cost.CpuSeconds);
    }

    [Fact]
    public void Price_NoDuration_HasNoPerMinuteCost() =>
        Assert.Equal(0m, JobCosts.Price(10, 0, 1, 0.05m).DollarsPerOutputMinute);

    [Fact]
    public void ByCodec_SplitsTheMeasuredCpuByEachEncodersWeight_AndCountsEachCodecsBytes()
    {
        var cost = JobCosts.Price(cpuSeconds: 300, durationSeconds: 60, renditions: 4, dollarsPerVcpuHour: 0.036m);
        Rendition[] renditions =
        [
            Video("avc1.640028", 1080, 4_000_000, 3000), Video("avc1.64001f", 720, 2_000_000, 1000),
            Video("av01.0.08M.08", 1080, 2_500_000, 1500), Video("av01.0.05M.08", 720, 1_200_000, 600),
            new() { Kind = RenditionKind.Audio, Name = "Audio", Codecs = "mp4a.40.2", Bandwidth = 1, AverageBandwidth = 1, SizeBytes = 99, PlaylistUrl = "a" },
        ];

        var split = JobCosts.ByCodec(cost, renditions, new Dictionary<string, double> { ["h264"] = 1, ["av1"] = 0.5 });

        Assert.Equal([("h264", 200.0, 0.002m, 4000L, 4_000_000L), ("av1", 100.0, 0.001m, 2100L, 2_500_000L)],
            split.ByCodec!.Value.Select(c => (c.Codec, c.CpuSeconds, c.Dollars, c.Bytes, c.AverageBitrate)));
        Assert.Null(JobCosts.ByCodec(cost, renditions.Take(2), new Dictionary<string, double>()).ByCodec);
    }

    private static Rendition Video(string codecs, int height, long average, long bytes) => new()
    {
        Kind = RenditionKind.Video,
        Name = $"{height}p",
        Codecs = codecs,
        Height = height,
        Bandwidth = average * 2,
        AverageBandwidth = average,
        SizeBytes = bytes,
        PlaylistUrl = "v",
    };
}
