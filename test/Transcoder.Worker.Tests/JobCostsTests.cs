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
}
