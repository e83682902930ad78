using System.Collections.Immutable;

namespace Transcoder.Abstractions;

/// <summary>What a job cost, measured from ffmpeg's own CPU usage.</summary>
/// <param name="CpuSeconds">User plus system CPU time of the job's ffmpeg run (encoding, thumbnails and quality measurement).</param>
/// <param name="ContentMinutes">Duration of the content.</param>
/// <param name="OutputMinutes">Minutes of output summed over renditions, as cloud encoders bill.</param>
/// <param name="Dollars">CPU time priced at the configured dollars per vCPU-hour.</param>
/// <param name="DollarsPerOutputMinute"><paramref name="Dollars"/> over <paramref name="OutputMinutes"/>.</param>
/// <param name="ByCodec">With several video codecs: each one's share, and the bytes of its renditions; null with H.264 alone.</param>
[GenerateSerializer, Immutable, Alias("transcoder.job-cost")]
public sealed record JobCost(
    [property: Id(0)] double CpuSeconds,
    [property: Id(1)] double ContentMinutes,
    [property: Id(2)] double OutputMinutes,
    [property: Id(3)] decimal Dollars,
    [property: Id(4)] decimal DollarsPerOutputMinute,
    [property: Id(5)] ImmutableArray<CodecCost>? ByCodec = null);

/// <summary>
/// One video codec's part of a job. Its CPU is estimated, not measured: every codec is encoded by one ffmpeg process
/// from one decode, whose CPU is measured whole and split by each encoder's relative cost (from the codec benchmark).
/// </summary>
/// <param name="Codec">"h264", "hevc" or "av1".</param>
/// <param name="CpuSeconds">Its estimated share of the job's CPU time.</param>
/// <param name="Dollars">That share priced.</param>
/// <param name="Bytes">Bytes of its renditions (init and media segments).</param>
/// <param name="AverageBitrate">Mean bits per second of its top rung.</param>
[GenerateSerializer, Immutable, Alias("transcoder.codec-cost")]
public sealed record CodecCost(
    [property: Id(0)] string Codec,
    [property: Id(1)] double CpuSeconds,
    [property: Id(2)] decimal Dollars,
    [property: Id(3)] long Bytes,
    [property: Id(4)] long AverageBitrate);
