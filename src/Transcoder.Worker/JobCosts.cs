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

    /// <summary>
    /// The cost split between the package's video codecs (when it has more than one): the CPU in proportion to each
    /// encoder's relative cost (<paramref name="weights"/>, H.264 = 1; every codec encodes the same rungs), the bytes
    /// and top rung's mean bitrate as made.
    /// </summary>
    public static JobCost ByCodec(JobCost cost, IEnumerable<Rendition> renditions, IReadOnlyDictionary<string, double> weights)
    {
        var codecs = renditions.Where(r => r.Kind == RenditionKind.Video).GroupBy(r => CodecNames.Of(r.Codecs)).ToList();
        if (codecs.Count < 2)
        {
            return cost;
        }

        var total = codecs.Sum(c => weights.GetValueOrDefault(c.Key, 1));
        return cost with
        {
            ByCodec = [.. codecs.Select(c =>
            {
                var share = weights.GetValueOrDefault(c.Key, 1) / total;
                return new CodecCost(c.Key, Math.Round(cost.CpuSeconds * share, 2), Math.Round(cost.Dollars * (decimal)share, 6),
                    c.Sum(r => r.SizeBytes), c.First().AverageBandwidth);
            })],
        };
    }
}
