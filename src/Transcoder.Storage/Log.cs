using Microsoft.Extensions.Logging;

namespace Transcoder.Storage;

internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Applied migration {Version}")]
    public static partial void MigrationApplied(ILogger logger, string version);

    [LoggerMessage(1002, LogLevel.Information, "Created bucket {Bucket}")]
    public static partial void BucketCreated(ILogger logger, string bucket);
}
