using System.ComponentModel.DataAnnotations;

namespace Transcoder.Api;

/// <summary>Limits of the HTTP API. Section "Api".</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest upload accepted, in bytes. Default 5 GiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 5L * 1024 * 1024 * 1024;

    /// <summary>Largest JSON body accepted, in bytes. Default 64 KiB.</summary>
    [Range(128, 16 * 1024 * 1024)]
    public int MaxJsonBytes { get; set; } = 64 * 1024;

    /// <summary>Largest page of the job list. Default 100.</summary>
    [Range(1, 1000)]
    public int MaxPageSize { get; set; } = 100;
}
