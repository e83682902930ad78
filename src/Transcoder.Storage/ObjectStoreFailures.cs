using System.Net;
using Amazon.Runtime;
using Amazon.S3;

namespace Transcoder.Storage;

/// <summary>What a failure of the object store means to its callers, without their knowing the S3 client's types.</summary>
public static class ObjectStoreFailures
{
    /// <summary>The object asked for does not exist (an upload that is gone, say): trying again cannot help.</summary>
    public static bool IsMissingObject(Exception exception) =>
        exception is AmazonS3Exception { StatusCode: HttpStatusCode.NotFound };

    /// <summary>The store or the network failed: another attempt may pass.</summary>
    public static bool IsStoreOrNetwork(Exception exception) =>
        exception is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or System.Net.Sockets.SocketException;
}
