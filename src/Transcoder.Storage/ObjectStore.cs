using System.Buffers;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Transcoder.Storage;

/// <summary>The bucket holding uploads and outputs.</summary>
public interface IObjectStore
{
    /// <summary>Creates the bucket if it is missing and allowed to.</summary>
    Task EnsureBucketAsync(CancellationToken cancellationToken);

    /// <summary>Asks the store whether the bucket is there: for readiness.</summary>
    Task CheckAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sets the bucket's lifecycle: objects move to the archive storage class after the configured days, and
    /// multipart uploads abandoned for a week are removed. False if the endpoint does not implement lifecycle
    /// rules (some S3-compatible ones) or none is configured.
    /// </summary>
    Task<bool> ApplyLifecycleAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Lets browsers on the configured origins read outputs and PUT upload parts (exposing ETag), replacing the
    /// bucket's CORS rules. False if no origin is configured or the endpoint does not implement CORS rules.
    /// </summary>
    Task<bool> ApplyCorsAsync(CancellationToken cancellationToken);

    Task PutFileAsync(string key, string path, string contentType, CancellationToken cancellationToken);

    /// <summary>Stores a stream whose length is known (seekable).</summary>
    Task PutStreamAsync(string key, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a stream of unknown length as it is read (a request body, say), holding one part in memory at a
    /// time: a single PUT if it fits one part, a multipart upload otherwise. Returns the byte count.
    /// </summary>
    Task<long> PutStreamingAsync(string key, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>Removes one object, if it exists.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores a small text object such as a playlist.</summary>
    Task PutTextAsync(string key, string text, string contentType, CancellationToken cancellationToken);

    Task DownloadAsync(string key, string path, CancellationToken cancellationToken);

    /// <summary>
    /// A URL that reads one object (GET, with range requests) until <paramref name="expiresUtc"/>, signed with the
    /// service's credentials, and the object's size: for ffmpeg to read just the span of a source it needs.
    /// </summary>
    Task<(Uri Url, long SizeBytes)> SignedReadAsync(string key, DateTime expiresUtc, CancellationToken cancellationToken);

    /// <summary>Removes every object under a prefix except those <paramref name="keep"/> picks; returns how many.</summary>
    Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken, Func<string, bool>? keep = null);

    /// <summary>Whether an object exists.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    /// <summary>Keys under a prefix.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The URL clients fetch an object from.</summary>
    Uri PublicUrl(string key);
}

/// <summary>
/// S3 through AWSSDK.S3. Bodies are sent with a plain Content-Length, never aws-chunked: some S3-compatible
/// endpoints store the chunk framing inside the object while answering 200.
/// </summary>
public sealed class ObjectStore(IAmazonS3 s3, IOptions<ObjectStoreOptions> options, ILogger<ObjectStore> logger) : IObjectStore
{
    private readonly ObjectStoreOptions _options = options.Value;

    public Task CheckAsync(CancellationToken cancellationToken) =>
        s3.HeadBucketAsync(new HeadBucketRequest { BucketName = _options.Bucket }, cancellationToken);

    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        try
        {
            // HeadBucket rather than AmazonS3Util's check, which asks for the bucket ACL that S3-compatible
            // endpoints often do not implement.
            await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = _options.Bucket }, cancellationToken);
            return;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // Missing: create it below.
        }

        if (!_options.CreateBucket)
        {
            throw new InvalidOperationException($"Bucket '{_options.Bucket}' does not exist and ObjectStore:CreateBucket is false.");
        }

        try
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket, UseClientRegion = true }, cancellationToken);
            Log.BucketCreated(logger, _options.Bucket);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // Another replica created it first.
        }
    }

    public async Task<bool> ApplyLifecycleAsync(CancellationToken cancellationToken)
    {
        if (_options.ArchiveAfterDays == 0)
        {
            return false;
        }

        var rule = new LifecycleRule
        {
            Id = LifecycleRuleId,
            Status = LifecycleRuleStatus.Enabled,
            Filter = new LifecycleFilter { Prefix = "" },
            Transitions = [new LifecycleTransition { Days = _options.ArchiveAfterDays, StorageClass = S3StorageClass.FindValue(_options.ArchiveStorageClass) }],
            AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = 7 },
        };
        try
        {
            await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
            {
                BucketName = _options.Bucket,
                Configuration = new LifecycleConfiguration { Rules = [rule] },
            }, cancellationToken);
            Log.LifecycleApplied(logger, _options.Bucket, _options.ArchiveAfterDays, _options.ArchiveStorageClass);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NotImplemented" || ex.StatusCode == HttpStatusCode.NotImplemented)
        {
            Log.LifecycleUnsupported(logger, _options.Bucket);
            return false;
        }
    }

    public async Task<bool> ApplyCorsAsync(CancellationToken cancellationToken)
    {
        if (_options.CorsOrigins.Count == 0)
        {
            return false;
        }

        var rule = new CORSRule
        {
            Id = "transcoder-browsers",
            AllowedOrigins = [.. _options.CorsOrigins],
            AllowedMethods = ["GET", "HEAD", "PUT"],
            AllowedHeaders = ["*"],
            ExposeHeaders = ["ETag", "Content-Length"],
            MaxAgeSeconds = 3600,
        };
        try
        {
            await s3.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
            {
                BucketName = _options.Bucket,
                Configuration = new CORSConfiguration { Rules = [rule] },
            }, cancellationToken);
            Log.CorsApplied(logger, _options.Bucket, string.Join(' ', _options.CorsOrigins));
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NotImplemented" || ex.StatusCode == HttpStatusCode.NotImplemented)
        {
            Log.CorsUnsupported(logger, _options.Bucket);
            return false;
        }
    }

    /// <summary>The part size of <see cref="PutStreamingAsync"/>: memory held per upload in flight.</summary>
    private const int StreamingPartBytes = 8 * 1024 * 1024;

    /// <summary>The rule this service owns in the bucket's lifecycle configuration (which it replaces whole).</summary>
    public const string LifecycleRuleId = "transcoder-archive";

    public Task PutFileAsync(string key, string path, string contentType, CancellationToken cancellationToken) =>
        PutAsync(new PutObjectRequest { Key = key, FilePath = path, ContentType = contentType }, cancellationToken);

    public Task PutStreamAsync(string key, Stream content, string contentType, CancellationToken cancellationToken) =>
        PutAsync(new PutObjectRequest { Key = key, InputStream = content, AutoCloseStream = false, ContentType = contentType }, cancellationToken);

    public async Task<long> PutStreamingAsync(string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(StreamingPartBytes);
        try
        {
            var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, StreamingPartBytes), StreamingPartBytes, throwOnEndOfStream: false, cancellationToken);
            if (filled < StreamingPartBytes)
            {
                using var whole = new MemoryStream(buffer, 0, filled, writable: false);
                await PutAsync(new PutObjectRequest { Key = key, InputStream = whole, AutoCloseStream = false, ContentType = contentType }, cancellationToken);
                return filled;
            }

            var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = key, ContentType = contentType }, cancellationToken);
            try
            {
                var parts = new List<PartETag>();
                long total = 0;
                while (filled > 0)
                {
                    using var part = new MemoryStream(buffer, 0, filled, writable: false);
                    var uploaded = await s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = _options.Bucket, Key = key, UploadId = upload.UploadId, PartNumber = parts.Count + 1,
                        InputStream = part, PartSize = filled, UseChunkEncoding = false,
                    }, cancellationToken);
                    parts.Add(new PartETag(parts.Count + 1, uploaded.ETag));
                    total += filled;
                    filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, StreamingPartBytes), StreamingPartBytes, throwOnEndOfStream: false, cancellationToken);
                }

                await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = _options.Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts,
                }, cancellationToken);
                return total;
            }
            catch
            {
                await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
                throw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        s3.DeleteObjectAsync(_options.Bucket, key, cancellationToken);

    public Task PutTextAsync(string key, string text, string contentType, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest { Key = key, ContentBody = text, ContentType = contentType };

        // Playlists change while a job runs: players and CDNs must revalidate them.
        request.Headers.CacheControl = "no-cache";
        return PutAsync(request, cancellationToken);
    }

    private Task PutAsync(PutObjectRequest request, CancellationToken cancellationToken)
    {
        request.BucketName = _options.Bucket;
        request.UseChunkEncoding = false;
        return s3.PutObjectAsync(request, cancellationToken);
    }

    public async Task DownloadAsync(string key, string path, CancellationToken cancellationToken)
    {
        using var response = await s3.GetObjectAsync(_options.Bucket, key, cancellationToken);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await response.ResponseStream.CopyToAsync(file, cancellationToken);
    }

    public async Task<(Uri Url, long SizeBytes)> SignedReadAsync(string key, DateTime expiresUtc, CancellationToken cancellationToken)
    {
        var metadata = await s3.GetObjectMetadataAsync(_options.Bucket, key, cancellationToken);
        var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = expiresUtc,

            // The SDK signs https unless told otherwise; a local endpoint is plain http.
            Protocol = _options.ServiceUrl?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true ? Protocol.HTTP : Protocol.HTTPS,
        });
        return (new Uri(url), metadata.ContentLength);
    }

    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken, Func<string, bool>? keep = null)
    {
        var keys = (await ListAsync(prefix, cancellationToken)).Where(k => keep?.Invoke(k) != true).ToList();
        foreach (var batch in keys.Chunk(1000))
        {
            await s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = _options.Bucket,
                Objects = [.. batch.Select(k => new KeyVersion { Key = k })],
                Quiet = true,
            }, cancellationToken);
        }

        return keys.Count;
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await s3.GetObjectMetadataAsync(_options.Bucket, key, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = prefix };
        ListObjectsV2Response response;
        do
        {
            response = await s3.ListObjectsV2Async(request, cancellationToken);
            if (response.S3Objects is { } objects)
            {
                keys.AddRange(objects.Select(o => o.Key));
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return keys;
    }

    public Uri PublicUrl(string key) =>
        new($"{_options.PublicBaseUrl.TrimEnd('/')}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}");

    /// <summary>Builds the S3 client the options describe.</summary>
    public static IAmazonS3 CreateClient(ObjectStoreOptions options)
    {
        var config = new AmazonS3Config
        {
            // Non-AWS endpoints reject (or mis-store) the trailing checksums SDK v4 adds by default.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        config.ForcePathStyle = options.ForcePathStyle ?? !string.IsNullOrEmpty(options.ServiceUrl);
        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
