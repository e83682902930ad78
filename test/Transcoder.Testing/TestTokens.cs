using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Transcoder.Testing;

/// <summary>Mints HS256 bearer tokens the way infra/local/token.sh does, for any tenant.</summary>
public static class TestTokens
{
    public const string Issuer = "transcoder";
    public const string Audience = "transcoder-api";

    public static string For(string tenant, bool admin = false, TimeSpan? lifetime = null, string? key = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = tenant,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds,
        };
        if (admin)
        {
            claims["role"] = "admin";
        }

        var header = Encode("""{"alg":"HS256","typ":"JWT"}"""u8);
        var payload = Encode(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = HMACSHA256.HashData(Convert.FromBase64String(key ?? TestStack.SigningKey), Encoding.ASCII.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Encode(signature)}";
    }

    private static string Encode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
