using System.Security.Cryptography;
using System.Text;

namespace Transcoder.Api.Apis;

/// <summary>
/// Job ids for requests that carry an <c>Idempotency-Key</c> header: a name-based UUID (version 8, RFC 9562) of
/// the tenant and the key. The same key from the same tenant always names the same job grain, whichever API
/// replica gets the retry, with nothing to store or expire; the same key from another tenant names another job.
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";

    /// <summary>Set on a response that returns a job an earlier request with the same key created.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static Guid JobId(string tenant, string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"transcoder-job\n{tenant}\n{key}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
