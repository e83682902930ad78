using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Transcoder.Api.Auth;

/// <summary>
/// The bearer scheme clients see ("Bearer") forwards each token to the scheme that can check it, chosen by the
/// algorithm its header names: HS256 to the service's own keys, an asymmetric one to the identity provider. Each
/// has its own issuer, keys and claim names, so neither kind of token can pass as the other and a provider that is
/// down leaves the service's own tokens working.
/// </summary>
public static class BearerAuthentication
{
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;

    public const string ServiceScheme = "ServiceToken";

    public const string ProviderScheme = "ProviderToken";

    /// <summary>The asymmetric JWS algorithms a provider's tokens may use.</summary>
    public static readonly IReadOnlyList<string> ProviderAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    /// <summary>Longest tenant name a token may carry.</summary>
    public const int MaxTenantLength = 200;

    /// <summary>
    /// What a tenant name may be made of: it is the first segment of the tenant's object keys and public URLs, so no
    /// '/', nothing a URL must escape, and no leading dot.
    /// </summary>
    public static bool IsUsableTenant(string? tenant) =>
        tenant is { Length: > 0 and <= MaxTenantLength }
        && tenant[0] != '.'
        && tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or '~');

    public static IServiceCollection AddBearerAuthentication(this IServiceCollection services, AuthOptions settings)
    {
        var authentication = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer (JWT)", o => o.ForwardDefaultSelector = context => SchemeFor(context.Request, settings));
        if (settings.HasOwnKeys)
        {
            authentication.AddJwtBearer(ServiceScheme, jwt => ConfigureService(jwt, settings));
        }

        if (settings.HasProvider)
        {
            authentication.AddJwtBearer(ProviderScheme, jwt => ConfigureProvider(jwt, settings));
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(TenantClaims.AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(TenantClaims.AdminRole));
        return services;
    }

    /// <summary>Settings read before the container is built (the schemes depend on which kinds are configured).</summary>
    public static AuthOptions ReadSettings(IConfiguration configuration) =>
        configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();

    private static string SchemeFor(HttpRequest request, AuthOptions settings)
    {
        if (!settings.HasProvider)
        {
            return ServiceScheme;
        }

        if (!settings.HasOwnKeys)
        {
            return ProviderScheme;
        }

        var token = TokenSources.Find(request);
        string? algorithm = null;
        try
        {
            algorithm = token is null ? null : new JsonWebToken(token).Alg;
        }
        catch (ArgumentException)
        {
            // Not a JWT at all: either scheme refuses it.
        }

        return algorithm is not null && algorithm.StartsWith("HS", StringComparison.Ordinal) ? ServiceScheme : ProviderScheme;
    }

    private static void ConfigureService(JwtBearerOptions jwt, AuthOptions settings)
    {
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKeys = settings.SigningKeys.Select(k => new SymmetricSecurityKey(Convert.FromBase64String(k))).ToList(),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = settings.ClockSkew,
            NameClaimType = TenantClaims.Subject,
            RoleClaimType = TenantClaims.Role,
            RequireExpirationTime = true,
        };
        jwt.Events = new JwtBearerEvents { OnMessageReceived = TokenSources.ReadFromQueryOrCookie, OnTokenValidated = RequireTenant };
    }

    private static void ConfigureProvider(JwtBearerOptions jwt, AuthOptions settings)
    {
        jwt.MapInboundClaims = false;
        jwt.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        jwt.AutomaticRefreshInterval = settings.KeyRefreshInterval;
        // An unknown kid reads the keys again at once (the first time) and at most once a minute after that.
        jwt.RefreshInterval = TimeSpan.FromMinutes(1);
        jwt.RefreshOnIssuerKeyNotFound = true;
        var documents = new HttpDocumentRetriever(JwksRetriever.Http) { RequireHttps = settings.RequireHttpsMetadata };
        ConfigurationManager<OpenIdConnectConfiguration> keys = string.IsNullOrEmpty(settings.Authority)
            ? new(settings.JwksUrl!, new JwksRetriever(settings.ProviderIssuer!), documents)
            : new($"{settings.Authority.TrimEnd('/')}/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), documents);
        keys.AutomaticRefreshInterval = settings.KeyRefreshInterval;
        keys.RefreshInterval = jwt.RefreshInterval;
        // A key taken out of the JWKS is refused from the next read on, not kept for an hour as "last known good":
        // a provider removes a key that leaked.
        keys.UseLastKnownGoodConfiguration = false;
        jwt.ConfigurationManager = keys;

        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            // With an authority, the issuer its discovery document names (unless set here).
            ValidIssuer = settings.ProviderIssuer,
            ValidAudience = settings.ProviderAudience ?? settings.Audience,
            ValidAlgorithms = ProviderAlgorithms,
            ClockSkew = settings.ClockSkew,
            NameClaimType = settings.TenantClaim,
            RoleClaimType = settings.RoleClaim,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
        };
        jwt.Events = new JwtBearerEvents { OnMessageReceived = TokenSources.ReadFromQueryOrCookie, OnTokenValidated = RequireTenant };
    }

    /// <summary>A valid token that names no tenant (or an unusable one) is refused, not let through to fail later.</summary>
    private static Task RequireTenant(TokenValidatedContext context)
    {
        if (!IsUsableTenant(context.Principal?.Identity?.Name))
        {
            var claim = (context.Principal?.Identity as System.Security.Claims.ClaimsIdentity)?.NameClaimType;
            context.Fail($"The token names no usable tenant in claim '{claim}': 1-{MaxTenantLength} of A-Z a-z 0-9 - _ . @ ~.");
        }

        return Task.CompletedTask;
    }
}
