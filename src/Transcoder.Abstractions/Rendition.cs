namespace Transcoder.Abstractions;

/// <summary>One rung of the output ladder.</summary>
/// <param name="Name">The rung's name, its short side followed by "p" (e.g. "720p").</param>
/// <param name="Width">Coded width in pixels.</param>
/// <param name="Height">Coded height in pixels.</param>
/// <param name="Bandwidth">Peak bits per second over any segment, audio included (HLS BANDWIDTH).</param>
/// <param name="AverageBandwidth">Mean bits per second, audio included (HLS AVERAGE-BANDWIDTH).</param>
/// <param name="Codecs">RFC 6381 codec string, e.g. "avc1.64001f,mp4a.40.2".</param>
/// <param name="PlaylistKey">Object key of the rung's HLS media playlist.</param>
/// <param name="FrameRate">Frames per second of the rung.</param>
/// <param name="Psnr">PSNR in dB against the source scaled to this size, over sampled frames.</param>
/// <param name="Ssim">SSIM (0..1) against the source scaled to this size, over sampled frames.</param>
[GenerateSerializer, Immutable, Alias("transcoder.rendition")]
public sealed record Rendition(
    [property: Id(0)] string Name,
    [property: Id(1)] int Width,
    [property: Id(2)] int Height,
    [property: Id(3)] long Bandwidth,
    [property: Id(4)] long AverageBandwidth,
    [property: Id(5)] string Codecs,
    [property: Id(6)] string PlaylistKey,
    [property: Id(7)] double FrameRate,
    [property: Id(8)] double? Psnr = null,
    [property: Id(9)] double? Ssim = null);
