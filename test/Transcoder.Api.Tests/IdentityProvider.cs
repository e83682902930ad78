using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Transcoder.Testing;

namespace Transcoder.Api.Tests;

/// <summary>
/// An OIDC identity provider on loopback, as far as a resource server sees one: a discovery document (OpenID
/// Connect Discovery 1.0), a JWKS (RFC 7517/7518) it can rotate, and tokens it signs with RS256 or ES256 (RFC 7515),
/// all written here from those specifications rather than with the service's token libraries.
/// </summary>
public sealed class IdentityProvider : IDisposable
{
    private readonly TestOrigin _origin;
    private readonly ConcurrentDictionary<string, AsymmetricAlgorithm> _keys = new();
    private volatile string[] _published = [];
    private int _jwksReads;

    public IdentityProvider()
    {
        _origin = TestOrigin.Start(Serve);
        Issuer = _origin.Url("realms/media").TrimEnd('/');
    }

    public string Issuer { get; }

    public string JwksUrl => _origin.Url("realms/media/jwks");

    public const string Audience = "transcoder-api";

    /// <summary>How often the JWKS has been read.</summary>
    public int JwksReads => Volatile.Read(ref _jwksReads);

    /// <summary>Makes a key under <paramref name="kid"/> (RSA 2048 or EC P-256) without publishing it.</summary>
    public void MakeKey(string kid, bool ec = false) =>
        _keys[kid] = ec ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);

    /// <summary>Publishes exactly these keys in the JWKS (a rotation replaces the set).</summary>
    public void Publish(params string[] kids) => _published = kids;

    /// <summary>A token signed with the key <paramref name="kid"/>; <paramref name="claims"/> override or remove (null) the defaults.</summary>
    public string Token(string kid, Dictionary<string, object?>? claims = null, string? headerKid = null)
    {
        var key = _keys[kid];
        var alg = key is ECDsa ? "ES256" : "RS256";
        var payload = DefaultClaims();
        foreach (var (name, value) in claims ?? [])
        {
            if (value is null)
            {
                payload.Remove(name);
            }
            else
            {
                payload[name] = value;
            }
        }

        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = alg, ["typ"] = "JWT", ["kid"] = headerKid ?? kid }));
        var body = Encode(JsonSerializer.SerializeToUtf8Bytes(payload));
        var input = Encoding.ASCII.GetBytes($"{header}.{body}");
        var signature = key switch
        {
            RSA rsa => rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            // JWS ES256 is the raw R || S (RFC 7518 3.4), which is .NET's IEEE P1363 format.
            ECDsa ecdsa => ecdsa.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => throw new InvalidOperationException(),
        };
        return $"{header}.{body}.{Encode(signature)}";
    }

    /// <summary>An unsigned token (alg "none"), as an attacker would send it.</summary>
    public string Unsigned() =>
        $"{Encode("""{"alg":"none","typ":"JWT"}"""u8)}.{Encode(JsonSerializer.SerializeToUtf8Bytes(DefaultClaims()))}.";

    /// <summary>An HS256 token whose HMAC key is the RSA key's public JWK: the algorithm-confusion attack.</summary>
    public string HmacWithPublicKey(string kid)
    {
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = kid }));
        var body = Encode(JsonSerializer.SerializeToUtf8Bytes(DefaultClaims()));
        var secret = Encoding.UTF8.GetBytes(Jwk(kid).ToJsonString());
        return $"{header}.{body}.{Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes($"{header}.{body}")))}";
    }

    public void Dispose()
    {
        _origin.Dispose();
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private Dictionary<string, object?> DefaultClaims()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new()
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = "user-7f3a",
            ["org"] = "acme-media",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 600,
        };
    }

    private async Task Serve(System.Net.HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        JsonNode? document = path switch
        {
            "/realms/media/.well-known/openid-configuration" => new JsonObject
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = JwksUrl,
                ["authorization_endpoint"] = $"{Issuer}/auth",
                ["token_endpoint"] = $"{Issuer}/token",
                ["response_types_supported"] = new JsonArray("code"),
                ["subject_types_supported"] = new JsonArray("public"),
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256", "ES256"),
            },
            "/realms/media/jwks" => Jwks(),
            _ => null,
        };
        if (path.EndsWith("/jwks", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _jwksReads);
        }

        context.Response.StatusCode = document is null ? 404 : 200;
        context.Response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(document?.ToJsonString() ?? "{}");
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private JsonObject Jwks() => new() { ["keys"] = new JsonArray([.. _published.Select(kid => (JsonNode)Jwk(kid))]) };

    private JsonObject Jwk(string kid) => _keys[kid] switch
    {
        RSA rsa when rsa.ExportParameters(false) is var p => new JsonObject
        {
            ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = kid, ["n"] = Encode(p.Modulus), ["e"] = Encode(p.Exponent),
        },
        ECDsa ecdsa when ecdsa.ExportParameters(false) is var p => new JsonObject
        {
            ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = kid, ["crv"] = "P-256", ["x"] = Encode(p.Q.X), ["y"] = Encode(p.Q.Y),
        },
        _ => throw new InvalidOperationException(),
    };

    private static string Encode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
