using Transcoder.Abstractions;
using System.ComponentModel.DataAnnotations;

namespace Transcoder.Api;

/// <summary>Limits of the HTTP API. Section "Api".</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest upload accepted, in bytes. Default 5 GiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 5L * 1024 * 1024 * 1024;

    /// <summary>
    /// Bytes in each part of a resumable upload (but the last); a larger file gets larger parts so that it fits
    /// S3's 10,000 parts. At least S3's minimum of 5 MiB. Default 16 MiB.
    /// </summary>
    [Range(5 * 1024 * 1024, 5L * 1024 * 1024 * 1024)]
    public long UploadPartBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long a presigned part URL works. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan UploadUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Largest JSON body accepted, in bytes. Default 64 KiB.</summary>
    [Range(128, 16 * 1024 * 1024)]
    public int MaxJsonBytes { get; set; } = 64 * 1024;

    /// <summary>Largest page of the job list. Default 100.</summary>
    [Range(1, 1000)]
    public int MaxPageSize { get; set; } = 100;

    /// <summary>Uploads one tenant may have open: resumable ones not yet completed, streamed ones in progress. Default 20.</summary>
    [Range(1, 100_000)]
    public int MaxOpenUploadsPerTenant { get; set; } = 20;

    /// <summary>Bytes a tenant's open uploads may declare together. Default 100 GiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxOpenUploadBytesPerTenant { get; set; } = 100L * 1024 * 1024 * 1024;

    /// <summary>Tenants with other upload caps than the defaults.</summary>
    public List<TenantUploadCaps> TenantUploadCaps { get; set; } = [];

    /// <summary>
    /// Streamed uploads (multipart/form-data to POST /v1/jobs) one replica runs at once, each holding an 8 MiB
    /// buffer; beyond it a request is answered 503 with Retry-After. Default 16.
    /// </summary>
    [Range(1, 4096)]
    public int MaxConcurrentStreamedUploads { get; set; } = 16;

    /// <summary>The caps that apply to a tenant's uploads.</summary>
    public Storage.UploadCaps UploadCapsFor(string tenant) =>
        TenantUploadCaps.FirstOrDefault(t => t.Tenant == tenant) is { } own
            ? new(own.MaxOpenUploads ?? MaxOpenUploadsPerTenant, own.MaxOpenUploadBytes ?? MaxOpenUploadBytesPerTenant)
            : new(MaxOpenUploadsPerTenant, MaxOpenUploadBytesPerTenant);

    /// <summary>
    /// Loudness targets jobs get when they ask for none: per tenant, or for every tenant with Tenant "*". Empty by
    /// default (levels are kept).
    /// </summary>
    public List<TenantLoudness> TenantLoudness { get; set; } = [];

    /// <summary>The loudness a tenant's jobs are normalised to when they ask for none; null to keep levels.</summary>
    public LoudnessTarget? DefaultLoudnessFor(string tenant) =>
        (TenantLoudness.FirstOrDefault(t => t.Tenant == tenant) ?? TenantLoudness.FirstOrDefault(t => t.Tenant == "*")) is { } own
            ? new LoudnessTarget(own.TargetLufs, own.TruePeakDb)
            : null;

    /// <summary>
    /// What a tenant's jobs are made of when they do not say (codecs, a height cap, downloads): per tenant, or for
    /// every tenant with Tenant "*". Empty by default (the H.264 ladder up to the source's height).
    /// </summary>
    public List<TenantOutputs> TenantOutputs { get; set; } = [];

    /// <summary>A tenant's default outputs; null for the service's.</summary>
    public TenantOutputs? DefaultOutputsFor(string tenant) =>
        TenantOutputs.FirstOrDefault(t => t.Tenant == tenant) ?? TenantOutputs.FirstOrDefault(t => t.Tenant == "*");

    /// <summary>Who runs this deployment, as the API document's contact. Section "Api:Contact".</summary>
    public ApiContact Contact { get; set; } = new();
}

/// <summary>One tenant's upload caps; what it leaves out is the default.</summary>
public sealed class TenantUploadCaps
{
    public string Tenant { get; set; } = "";

    public int? MaxOpenUploads { get; set; }

    public long? MaxOpenUploadBytes { get; set; }
}

/// <summary>A tenant's default loudness target ("*" for every tenant without one of its own).</summary>
public sealed class TenantLoudness
{
    public string Tenant { get; set; } = "";

    [Range(LoudnessTarget.LowestLufs, LoudnessTarget.HighestLufs)]
    public double TargetLufs { get; set; } = -16;

    [Range(LoudnessTarget.LowestTruePeakDb, LoudnessTarget.HighestTruePeakDb)]
    public double TruePeakDb { get; set; } = LoudnessTarget.DefaultTruePeakDb;
}

/// <summary>A tenant's default outputs ("*" for every tenant without its own); what it leaves out is the service's default.</summary>
public sealed class TenantOutputs
{
    public string Tenant { get; set; } = "";

    /// <summary>Codecs beside H.264: "hevc", "av1".</summary>
    public List<string>? Codecs { get; set; }

    [Range(OutputOptions.LowestHeight, OutputOptions.HighestHeight)]
    public int? MaxHeight { get; set; }

    /// <summary>Downloads: "mp4", "m4a".</summary>
    public List<string>? Downloads { get; set; }
}

/// <summary>The API document's contact: whoever runs the deployment.</summary>
public sealed class ApiContact
{
    public string Name { get; set; } = "Transcoder.Orleans operators";

    public string? Url { get; set; }

    public string? Email { get; set; }
}
