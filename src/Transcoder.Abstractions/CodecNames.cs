namespace Transcoder.Abstractions;

/// <summary>Video codecs as jobs name them.</summary>
public static class CodecNames
{
    /// <summary>An RFC 6381 video codec string's family: "h264" (avc1), "hevc" (hvc1, hev1) or "av1" (av01).</summary>
    public static string Of(string codecs) => codecs.Split('.')[0] switch
    {
        "hvc1" or "hev1" => "hevc",
        "av01" => "av1",
        _ => "h264",
    };
}
