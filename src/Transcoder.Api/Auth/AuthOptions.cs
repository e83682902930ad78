using System.ComponentModel.DataAnnotations;
using OwnKeys = Transcoder.Contracts.SigningKeys;

namespace Transcoder.Api.Auth;

/// <summary>
/// How bearer tokens are validated. Section "Auth". Two kinds of token are accepted, each checked on its own terms:
/// HS256 tokens signed with one of <see cref="SigningKeys"/> (the service's own), and RS256/ES256 (and the other
/// asymmetric JWS algorithms) tokens of an identity provider, whose keys come from its OIDC discovery document
/// (<see cref="Authority"/>) or its JWKS (<see cref="JwksUrl"/>) and rotate by <c>kid</c>. At least one kind.
/// </summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    /// <summary>Issuer (iss) of the service's own HS256 tokens. Required with <see cref="SigningKeys"/>.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>Audience (aud) every token must name, unless <see cref="ProviderAudience"/> sets the provider's apart. Required.</summary>
    [Required(ErrorMessage = "Auth:Audience is required.")]
    public string Audience { get; set; } = "";

    /// <summary>Base64 HMAC-SHA256 keys the service's own tokens may be signed with (several, to rotate), each 32+ bytes.</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>
    /// The identity provider's issuer URL; its keys and issuer are read from
    /// <c>{Authority}/.well-known/openid-configuration</c> (Entra ID, Auth0, Keycloak, Cognito, …).
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>The identity provider's JWKS URL, for providers without discovery. Needs <see cref="ProviderIssuer"/>.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>The iss of the provider's tokens: required with <see cref="JwksUrl"/>; with <see cref="Authority"/> the discovery document's.</summary>
    public string? ProviderIssuer { get; set; }

    /// <summary>The aud of the provider's tokens, when it differs from <see cref="Audience"/>.</summary>
    public string? ProviderAudience { get; set; }

    /// <summary>The claim of a provider's token that names the tenant. Default "sub".</summary>
    [Required]
    public string TenantClaim { get; set; } = TenantClaims.Subject;

    /// <summary>The claim of a provider's token that lists roles ("admin" opens the dashboard and other tenants' jobs). Default "roles".</summary>
    [Required]
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Whether the discovery document and JWKS must be fetched over https. Default true.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>How often the provider's keys are read again even if no unknown kid asks for it. Default 12 hours.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Tolerated clock difference. Default 30 s.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool HasOwnKeys => SigningKeys.Count > 0;

    public bool HasProvider => !string.IsNullOrEmpty(Authority) || !string.IsNullOrEmpty(JwksUrl);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!HasOwnKeys && !HasProvider)
        {
            yield return new ValidationResult("Auth needs Auth:SigningKeys, or an identity provider (Auth:Authority or Auth:JwksUrl), or both.", [nameof(SigningKeys)]);
        }

        if (!SigningKeys.All(OwnKeys.IsUsable))
        {
            yield return new ValidationResult($"Auth:SigningKeys must be base64 keys of at least {OwnKeys.MinimumBytes} bytes.", [nameof(SigningKeys)]);
        }

        if (HasOwnKeys && string.IsNullOrEmpty(Issuer))
        {
            yield return new ValidationResult("Auth:Issuer is required with Auth:SigningKeys.", [nameof(Issuer)]);
        }

        if (!string.IsNullOrEmpty(Authority) && !string.IsNullOrEmpty(JwksUrl))
        {
            yield return new ValidationResult("Set Auth:Authority or Auth:JwksUrl, not both.", [nameof(Authority), nameof(JwksUrl)]);
        }

        foreach (var (name, value) in new[] { (nameof(Authority), Authority), (nameof(JwksUrl), JwksUrl) })
        {
            if (!string.IsNullOrEmpty(value) && !IsUsableUrl(value))
            {
                yield return new ValidationResult($"Auth:{name} must be an absolute {(RequireHttpsMetadata ? "https" : "http(s)")} URL.", [name]);
            }
        }

        if (!string.IsNullOrEmpty(JwksUrl) && string.IsNullOrEmpty(ProviderIssuer))
        {
            yield return new ValidationResult("Auth:ProviderIssuer is required with Auth:JwksUrl: it is the iss the provider's tokens carry.", [nameof(ProviderIssuer)]);
        }
    }

    private bool IsUsableUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (!RequireHttpsMetadata && uri.Scheme == Uri.UriSchemeHttp));
}
