using Microsoft.Extensions.Logging;

namespace Transcoder.Storage;

internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Applied migration {Version}")]
    public static partial void MigrationApplied(ILogger logger, string version);

    [LoggerMessage(1002, LogLevel.Information, "Created bucket {Bucket}")]
    public static partial void BucketCreated(ILogger logger, string bucket);

    [LoggerMessage(1003, LogLevel.Information, "Bucket {Bucket}: objects move to {StorageClass} after {Days} days")]
    public static partial void LifecycleApplied(ILogger logger, string bucket, int days, string storageClass);

    [LoggerMessage(1005, LogLevel.Information, "Bucket {Bucket}: browsers on {Origins} may read outputs and upload parts")]
    public static partial void CorsApplied(ILogger logger, string bucket, string origins);

    [LoggerMessage(1006, LogLevel.Warning, "Bucket {Bucket}: the endpoint does not implement CORS rules; set them on the bucket yourself")]
    public static partial void CorsUnsupported(ILogger logger, string bucket);

    [LoggerMessage(1004, LogLevel.Warning, "Bucket {Bucket}: the endpoint does not implement lifecycle rules; old objects stay in their storage class")]
    public static partial void LifecycleUnsupported(ILogger logger, string bucket);
}
