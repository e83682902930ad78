using System.ComponentModel.DataAnnotations;

namespace Transcoder.Storage;

/// <summary>The S3 bucket that holds uploads and renditions. Section "ObjectStore".</summary>
public sealed class ObjectStoreOptions
{
    public const string SectionName = "ObjectStore";

    /// <summary>The bucket. Required.</summary>
    [Required(ErrorMessage = "ObjectStore:Bucket is required.")]
    [RegularExpression("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", ErrorMessage = "ObjectStore:Bucket is not a valid S3 bucket name.")]
    public string Bucket { get; set; } = "";

    /// <summary>AWS region. Default us-east-1.</summary>
    [Required]
    public string Region { get; set; } = "us-east-1";

    /// <summary>An S3-compatible endpoint (e.g. the local one); empty for AWS itself.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Path-style addressing, which local endpoints need. Default: on when <see cref="ServiceUrl"/> is set.</summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary>Static credentials; when empty the SDK's default chain (IAM role, environment) is used.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret of <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// Base URL players fetch outputs from: a CDN in production, the bucket on the local endpoint otherwise.
    /// Object keys are appended to it. Required.
    /// </summary>
    [Required(ErrorMessage = "ObjectStore:PublicBaseUrl is required.")]
    [Url(ErrorMessage = "ObjectStore:PublicBaseUrl must be an absolute URL.")]
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>Create the bucket at start-up when it is missing. Default true.</summary>
    public bool CreateBucket { get; set; } = true;

    /// <summary>
    /// Days after which objects move to <see cref="ArchiveStorageClass"/> (a lifecycle rule on the bucket, set at
    /// start-up); 0 leaves the bucket's lifecycle alone. Default 90.
    /// </summary>
    [Range(0, 36500)]
    public int ArchiveAfterDays { get; set; } = 90;

    /// <summary>
    /// Where old objects go. Default GLACIER_IR, which still serves reads in milliseconds, so old videos keep
    /// playing (at a higher cost per read); GLACIER or DEEP_ARCHIVE would need a restore before playback.
    /// </summary>
    [RegularExpression("^(STANDARD_IA|ONEZONE_IA|INTELLIGENT_TIERING|GLACIER_IR|GLACIER|DEEP_ARCHIVE)$",
        ErrorMessage = "ObjectStore:ArchiveStorageClass must be STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER or DEEP_ARCHIVE.")]
    public string ArchiveStorageClass { get; set; } = "GLACIER_IR";

    /// <summary>
    /// Origins of web apps (e.g. https://app.example.com, or the API's own origin for its app at /) whose browsers
    /// read outputs and PUT resumable-upload parts straight to the bucket: set as the bucket's CORS rules at
    /// start-up, replacing any others. Empty (the default) leaves the bucket's CORS alone.
    /// </summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>Objects uploaded at once by one job. Default 8.</summary>
    [Range(1, 64)]
    public int UploadConcurrency { get; set; } = 8;
}
