using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Transcoder.Api.Auth;
using Transcoder.Testing;

namespace Transcoder.Api.Tests;

/// <summary>The API in front of an identity provider: by its discovery document (Auth:Authority) or its bare JWKS (Auth:JwksUrl).</summary>
public sealed class ProviderApiFactory(IdentityProvider provider, bool discovery) : ApiFactory
{
    protected override void AddSettings(Dictionary<string, string> settings)
    {
        if (discovery)
        {
            settings["Auth:Authority"] = provider.Issuer;
        }
        else
        {
            settings["Auth:JwksUrl"] = provider.JwksUrl;
            settings["Auth:ProviderIssuer"] = provider.Issuer;
        }

        settings["Auth:TenantClaim"] = "org";
        // The provider here is on loopback, over plain http.
        settings["Auth:RequireHttpsMetadata"] = "false";
    }
}

public sealed class ProviderFixture : IDisposable
{
    public ProviderFixture()
    {
        Provider.MakeKey("rsa-1");
        Provider.MakeKey("ec-1", ec: true);
        Provider.MakeKey("unpublished");
        Provider.Publish("rsa-1", "ec-1");
        Discovery = new ProviderApiFactory(Provider, discovery: true);
        Jwks = new ProviderApiFactory(Provider, discovery: false);
    }

    public IdentityProvider Provider { get; } = new();

    public ProviderApiFactory Discovery { get; }

    public ProviderApiFactory Jwks { get; }

    public void Dispose()
    {
        Discovery.Dispose();
        Jwks.Dispose();
        Provider.Dispose();
    }
}

/// <summary>
/// Tokens of the tenant's own identity provider (RS256/ES256, keys by kid from its JWKS) are accepted beside the
/// service's HS256 tokens, with issuer, audience, lifetime and signature checked; everything else is a 401.
/// </summary>
public sealed class IdentityProviderTests(ProviderFixture fixture) : IClassFixture<ProviderFixture>
{
    private IdentityProvider Provider => fixture.Provider;

    [Theory]
    [InlineData(true, "rsa-1")]
    [InlineData(true, "ec-1")]
    [InlineData(false, "rsa-1")]
    [InlineData(false, "ec-1")]
    public async Task ProviderToken_IsAccepted_AsTheTenantItsClaimNames(bool discovery, string kid)
    {
        var factory = discovery ? fixture.Discovery : fixture.Jwks;

        var secret = await SecretAsync(factory, Provider.Token(kid));

        // The tenant is the configured claim ("org"), not the subject: the same secret as the service's own token for "acme-media".
        Assert.Equal(await SecretAsync(factory, TestTokens.For("acme-media", key: ApiFactory.SigningKey)), secret);
        Assert.NotEqual(await SecretAsync(factory, TestTokens.For("user-7f3a", key: ApiFactory.SigningKey)), secret);
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "unknown kid", "unknown-kid" },
        { "unpublished key under a published kid", "forged" },
        { "wrong issuer", "issuer" },
        { "wrong audience", "audience" },
        { "expired", "expired" },
        { "no tenant claim", "no-tenant" },
        { "a tenant with a slash", "slash-tenant" },
        { "alg none", "none" },
        { "HS256 with the public key as secret", "confusion" },
        { "signature of another token", "spliced" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task BadProviderToken_Is401(string why, string kind)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = kind switch
        {
            "unknown-kid" => Provider.Token("unpublished"),
            "forged" => Provider.Token("unpublished", headerKid: "rsa-1"),
            "issuer" => Provider.Token("rsa-1", new() { ["iss"] = "https://someone-else.example.com/" }),
            "audience" => Provider.Token("rsa-1", new() { ["aud"] = "another-api" }),
            "expired" => Provider.Token("rsa-1", new() { ["iat"] = now - 7200, ["nbf"] = now - 7200, ["exp"] = now - 3600 }),
            "no-tenant" => Provider.Token("rsa-1", new() { ["org"] = null }),
            "slash-tenant" => Provider.Token("rsa-1", new() { ["org"] = "acme/01234567" }),
            "none" => Provider.Unsigned(),
            "confusion" => Provider.HmacWithPublicKey("rsa-1"),
            "spliced" => string.Join('.', Provider.Token("rsa-1").Split('.')[..2].Append(Provider.Token("rsa-1", new() { ["org"] = "other" }).Split('.')[2])),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        foreach (var factory in new[] { fixture.Discovery, fixture.Jwks })
        {
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.GetAsync("/v1/webhooks/secret");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task RotatedKey_IsPickedUpByKid_AndTheRetiredOneRefused()
    {
        using var provider = new IdentityProvider();
        provider.MakeKey("2026-11");
        provider.MakeKey("2026-12", ec: true);
        provider.Publish("2026-11");
        using var factory = new ProviderApiFactory(provider, discovery: true);
        await SecretAsync(factory, provider.Token("2026-11"));
        var reads = provider.JwksReads;

        provider.Publish("2026-12");

        // The first token under the new kid makes the API read the JWKS again.
        await Eventually.TrueAsync(async () => await StatusAsync(factory, provider.Token("2026-12")) == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20), "a token signed with the rotated-in key was still refused");
        Assert.True(provider.JwksReads > reads);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(factory, provider.Token("2026-11")));
    }

    [Fact]
    public async Task ServiceTokens_StillWork_BesideTheProvider() =>
        Assert.StartsWith("whsec_", await SecretAsync(fixture.Discovery, TestTokens.For("acme-media", key: ApiFactory.SigningKey)), StringComparison.Ordinal);

    [Theory]
    [InlineData(null, null, null, "needs Auth:SigningKeys, or an identity provider")]
    [InlineData("https://idp.example.com", "https://idp.example.com/jwks", "https://idp.example.com", "not both")]
    [InlineData(null, "https://idp.example.com/jwks", null, "Auth:ProviderIssuer is required")]
    [InlineData("http://idp.example.com", null, null, "must be an absolute https URL")]
    public void Unusable_Settings_AreRefusedAtStart(string? authority, string? jwks, string? issuer, string reason)
    {
        var options = new AuthOptions { Audience = "a", Authority = authority, JwksUrl = jwks, ProviderIssuer = issuer };

        var result = new DataAnnotationValidateOptions<AuthOptions>(Options.DefaultName).Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains(reason, result.FailureMessage, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> StatusAsync(ApiFactory factory, string token)
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/v1/webhooks/secret");
        return response.StatusCode;
    }

    private static async Task<string> SecretAsync(ApiFactory factory, string token)
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/v1/webhooks/secret");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["secret"]!.GetValue<string>();
    }
}
