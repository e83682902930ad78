namespace Transcoder.Abstractions;

/// <summary>What a job cost, measured from ffmpeg's own CPU usage.</summary>
/// <param name="CpuSeconds">User plus system CPU time of the job's ffmpeg run (encoding, thumbnails and quality measurement).</param>
/// <param name="ContentMinutes">Duration of the content.</param>
/// <param name="OutputMinutes">Minutes of output summed over renditions, as cloud encoders bill.</param>
/// <param name="Dollars">CPU time priced at the configured dollars per vCPU-hour.</param>
/// <param name="DollarsPerOutputMinute"><paramref name="Dollars"/> over <paramref name="OutputMinutes"/>.</param>
[GenerateSerializer, Immutable, Alias("transcoder.job-cost")]
public sealed record JobCost(
    [property: Id(0)] double CpuSeconds,
    [property: Id(1)] double ContentMinutes,
    [property: Id(2)] double OutputMinutes,
    [property: Id(3)] decimal Dollars,
    [property: Id(4)] decimal DollarsPerOutputMinute);
