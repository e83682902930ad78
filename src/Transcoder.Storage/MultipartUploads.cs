using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace Transcoder.Storage;

/// <summary>A part of a multipart upload that the store holds.</summary>
public sealed record UploadedPart(int PartNumber, string ETag, long Size);

/// <summary>
/// S3 multipart uploads that clients send straight to the bucket with presigned part URLs, so large files
/// never pass through (or wait on the disk of) an API replica, and an interrupted upload resumes from the parts
/// the bucket already holds.
/// </summary>
public interface IMultipartUploads
{
    /// <summary>Starts an upload to <paramref name="key"/>; returns the bucket's upload id.</summary>
    Task<string> StartAsync(string key, CancellationToken cancellationToken);

    /// <summary>A URL a client may PUT one part's bytes to, without credentials, until it expires.</summary>
    Task<Uri> PresignPartAsync(string key, string uploadId, int partNumber, DateTime expiresUtc);

    /// <summary>Whether the upload is in progress (one cheap request, whatever its number of parts).</summary>
    Task<bool> ExistsAsync(string key, string uploadId, CancellationToken cancellationToken);

    /// <summary>The parts the bucket holds, in order; null if there is no such upload (or it was completed or aborted).</summary>
    Task<IReadOnlyList<UploadedPart>?> ListPartsAsync(string key, string uploadId, CancellationToken cancellationToken);

    /// <summary>Joins the parts into the object. False if there is no such upload.</summary>
    /// <exception cref="UploadRejectedException">The store refused the parts (one changed meanwhile, say).</exception>
    Task<bool> CompleteAsync(string key, string uploadId, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken);

    /// <summary>Drops the upload and the parts it holds.</summary>
    Task AbortAsync(string key, string uploadId, CancellationToken cancellationToken);
}

public sealed class MultipartUploads(IAmazonS3 s3, IOptions<ObjectStoreOptions> options) : IMultipartUploads
{
    private readonly ObjectStoreOptions _options = options.Value;

    public async Task<string> StartAsync(string key, CancellationToken cancellationToken)
    {
        var response = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            ContentType = "application/octet-stream",
        }, cancellationToken);
        return response.UploadId;
    }

    public async Task<Uri> PresignPartAsync(string key, string uploadId, int partNumber, DateTime expiresUtc) =>
        new(await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            Verb = HttpVerb.PUT,
            UploadId = uploadId,
            PartNumber = partNumber,
            Expires = expiresUtc,

            // The SDK signs https unless told otherwise; a local endpoint is plain http.
            Protocol = _options.ServiceUrl?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true ? Protocol.HTTP : Protocol.HTTPS,
        }));

    public async Task<bool> ExistsAsync(string key, string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            await s3.ListPartsAsync(new ListPartsRequest { BucketName = _options.Bucket, Key = key, UploadId = uploadId, MaxParts = 1 }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (IsUnknownUpload(ex))
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<UploadedPart>?> ListPartsAsync(string key, string uploadId, CancellationToken cancellationToken)
    {
        var parts = new List<UploadedPart>();
        var request = new ListPartsRequest { BucketName = _options.Bucket, Key = key, UploadId = uploadId };
        try
        {
            ListPartsResponse response;
            do
            {
                response = await s3.ListPartsAsync(request, cancellationToken);
                parts.AddRange((response.Parts ?? []).Select(p => new UploadedPart(p.PartNumber ?? 0, p.ETag, p.Size ?? 0)));
                request.PartNumberMarker = response.NextPartNumberMarker?.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            while (response.IsTruncated == true);
        }
        catch (AmazonS3Exception ex) when (IsUnknownUpload(ex))
        {
            return null;
        }

        return [.. parts.OrderBy(p => p.PartNumber)];
    }

    public async Task<bool> CompleteAsync(string key, string uploadId, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken)
    {
        try
        {
            await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = [.. parts.Select(p => new PartETag(p.PartNumber, p.ETag))],
            }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (IsUnknownUpload(ex))
        {
            return false;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.BadRequest)
        {
            // InvalidPart, InvalidPartOrder, EntityTooSmall: the parts listed are not the parts held.
            throw new UploadRejectedException($"The store refused the parts: {ex.ErrorCode} {ex.Message}", ex);
        }
    }

    public async Task AbortAsync(string key, string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = key, UploadId = uploadId }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (IsUnknownUpload(ex))
        {
            // Already gone.
        }
    }

    /// <summary>No such upload; a malformed upload id is one too (some S3-compatible stores answer it 400).</summary>
    private static bool IsUnknownUpload(AmazonS3Exception ex) =>
        ex.ErrorCode is "NoSuchUpload" or "InvalidArgument" || ex.StatusCode == HttpStatusCode.NotFound;
}

/// <summary>The store refused to join an upload's parts.</summary>
public sealed class UploadRejectedException(string message, Exception innerException) : Exception(message, innerException);
