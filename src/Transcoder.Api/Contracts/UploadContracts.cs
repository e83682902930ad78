using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Transcoder.Api.Contracts;

/// <summary>Starts a resumable upload. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateUploadRequest
{
    /// <summary>The file's size in bytes; it decides the part size and count.</summary>
    [Description("The file's size in bytes; it decides the part size and count.")]
    public long? Size { get; init; }
}

/// <summary>
/// A resumable upload: S3 multipart, with each part PUT straight to the bucket at a presigned URL. The id is the
/// id of the job that completing the upload creates.
/// </summary>
/// <param name="Id">The upload's id, and the id its job will have.</param>
/// <param name="UploadId">The bucket's id of the multipart upload; pass it back on every call about this upload.</param>
/// <param name="Size">The declared size in bytes.</param>
/// <param name="PartSize">Bytes in every part but the last.</param>
/// <param name="PartCount">Parts the file splits into, numbered from 1.</param>
public sealed record UploadResponse(Guid Id, string UploadId, long Size, long PartSize, int PartCount);

/// <summary>Where to PUT one part's bytes; the response's ETag header is the part's tag.</summary>
public sealed record PartUrlResponse(int PartNumber, Uri Url, DateTimeOffset ExpiresAt);

/// <summary>A part the bucket already holds.</summary>
public sealed record UploadedPartResponse(int PartNumber, long Size, string ETag);

/// <summary>What an upload holds so far: an interrupted upload resumes by sending only the parts not listed.</summary>
public sealed record UploadStatusResponse(Guid Id, string UploadId, long BytesReceived, IReadOnlyList<UploadedPartResponse> Parts);

/// <summary>Finishes an upload and submits its job. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CompleteUploadRequest : JobSettingsRequest
{
    /// <summary>The bucket's id of the multipart upload.</summary>
    [Description("The bucket's id of the multipart upload, from the create call.")]
    public string? UploadId { get; init; }

    /// <summary>The file's name, kept on the job.</summary>
    [Description("The file's name, kept on the job.")]
    public string? FileName { get; init; }
}
