using System.ComponentModel.DataAnnotations;

namespace Transcoder.Media.Ingest;

/// <summary>How URL inputs are fetched. Section "Fetch".</summary>
public sealed class FetchOptions
{
    public const string SectionName = "Fetch";

    /// <summary>Largest input accepted, in bytes. Default 10 GiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>Time allowed for the whole download. Default 30 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Time allowed to connect and receive headers. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Redirects followed, each re-checked. Default 5.</summary>
    [Range(0, 20)]
    public int MaxRedirects { get; set; } = 5;

    /// <summary>
    /// Trusted "host" or "host:port" entries that may resolve to private or loopback addresses (e.g. an
    /// internal object store). Everything else must resolve to public addresses only.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];
}
