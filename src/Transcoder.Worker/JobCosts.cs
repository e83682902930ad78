using Transcoder.Abstractions;

namespace Transcoder.Worker;

/// <summary>Prices a run from ffmpeg's measured CPU time.</summary>
public static class JobCosts
{
    /// <summary>
    /// The cost of the CPU time spent making <paramref name="renditions"/> renditions of <paramref name="durationSeconds"/>
    /// of content. Output minutes count every rendition, as cloud encoders bill.
    /// </summary>
    public static JobCost Price(double cpuSeconds, double durationSeconds, int renditions, decimal dollarsPerVcpuHour)
    {
        var contentMinutes = durationSeconds / 60;
        var outputMinutes = contentMinutes * Math.Max(1, renditions);
        var dollars = Math.Round((decimal)cpuSeconds / 3600 * dollarsPerVcpuHour, 6);
        var perMinute = outputMinutes > 0 ? Math.Round(dollars / (decimal)outputMinutes, 6) : 0;
        return new JobCost(Math.Round(cpuSeconds, 2), Math.Round(contentMinutes, 4), Math.Round(outputMinutes, 4), dollars, perMinute);
    }
}
