using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Transcoder.Api.Auth;

/// <summary>
/// Where a token may come from besides the Authorization header: browsers cannot set headers on WebSocket
/// upgrades or page navigation, so the hub takes <c>access_token</c> from the query string, and the dashboard
/// takes it once from the query and keeps it in an HttpOnly cookie scoped to the dashboard.
/// </summary>
internal static class TokenSources
{
    /// <summary>The request's token, wherever it is allowed to be; null if it carries none.</summary>
    public static string? Find(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        }

        var fromQuery = request.Query["access_token"].ToString();
        if ((request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/dashboard")) && fromQuery.Length > 0)
        {
            return fromQuery;
        }

        return request.Path.StartsWithSegments("/dashboard") && request.Cookies.TryGetValue(TenantClaims.DashboardCookie, out var cookie) ? cookie : null;
    }

    public static Task ReadFromQueryOrCookie(MessageReceivedContext context)
    {
        var request = context.HttpContext.Request;
        if (!string.IsNullOrEmpty(request.Headers.Authorization))
        {
            return Task.CompletedTask;
        }

        context.Token = Find(request);
        var fromQuery = request.Query["access_token"].ToString();
        if (request.Path.StartsWithSegments("/dashboard") && fromQuery.Length > 0)
        {
            context.HttpContext.Response.Cookies.Append(TenantClaims.DashboardCookie, fromQuery, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = request.IsHttps,
                Path = "/dashboard",
            });
        }

        return Task.CompletedTask;
    }
}
