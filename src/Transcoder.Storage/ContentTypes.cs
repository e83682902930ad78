namespace Transcoder.Storage;

/// <summary>Content types players expect for each output file.</summary>
public static class ContentTypes
{
    public static string ForFile(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".m3u8" => "application/vnd.apple.mpegurl",
        ".mpd" => "application/dash+xml",
        ".m4s" => "video/iso.segment",
        ".mp4" => "video/mp4",
        ".m4a" => "audio/mp4",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".png" => "image/png",
        ".vtt" => "text/vtt",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };
}
