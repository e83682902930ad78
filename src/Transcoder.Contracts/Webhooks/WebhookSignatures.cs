using System.Security.Cryptography;
using System.Text;

namespace Transcoder.Contracts.Webhooks;

/// <summary>
/// Webhook signatures as the Standard Webhooks specification has them: headers <c>webhook-id</c>,
/// <c>webhook-timestamp</c> (Unix seconds) and <c>webhook-signature</c> ("v1," + base64 HMAC-SHA256 of
/// "{id}.{timestamp}.{body}"), keyed with the tenant's secret ("whsec_" + base64). Each tenant's secret is
/// derived from the service's key, so no secret is stored, and a tenant reads its own from the API.
/// </summary>
public static class WebhookSignatures
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    private const string SecretPrefix = "whsec_";

    /// <summary>The tenant's signing secret.</summary>
    public static string TenantSecret(string signingKey, string tenant) =>
        SecretPrefix + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(signingKey), Encoding.UTF8.GetBytes($"webhook-secret:{tenant}")));

    /// <summary>The <c>webhook-signature</c> header value for a message.</summary>
    public static string Sign(string secret, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
