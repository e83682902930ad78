using System.Security.Claims;

namespace Transcoder.Api.Auth;

/// <summary>Names of the claims and policies the API relies on.</summary>
public static class TenantClaims
{
    /// <summary>The token's subject is the tenant.</summary>
    public const string Subject = "sub";

    public const string Role = "role";

    public const string AdminRole = "admin";

    public const string AdminPolicy = "admin";

    /// <summary>Cookie the dashboard page keeps its token in (browsers cannot send headers on navigation).</summary>
    public const string DashboardCookie = "transcoder_dashboard_token";

    /// <summary>Whether the caller is an operator, who may see and act on every tenant's jobs where an endpoint says so.</summary>
    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(AdminRole);

    /// <summary>
    /// The caller's tenant: the identity's name, read from the claim its scheme names the tenant by ("sub" for the
    /// service's own tokens, Auth:TenantClaim for a provider's). Authentication refuses a token without one.
    /// </summary>
    public static string Tenant(this ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("An authenticated caller names no tenant.");
}
