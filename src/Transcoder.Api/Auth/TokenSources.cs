using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Transcoder.Api.Auth;

/// <summary>
/// Where a token may come from besides the Authorization header: browsers cannot set headers on WebSocket
/// upgrades or page navigation, so the hub takes <c>access_token</c> from the query string, and the dashboard
/// takes it once from the query and keeps it in an HttpOnly cookie scoped to the dashboard.
/// </summary>
internal static class TokenSources
{
    public static Task ReadFromQueryOrCookie(MessageReceivedContext context)
    {
        var request = context.HttpContext.Request;
        if (!string.IsNullOrEmpty(request.Headers.Authorization))
        {
            return Task.CompletedTask;
        }

        var fromQuery = request.Query["access_token"].ToString();
        if (request.Path.StartsWithSegments("/hubs") && fromQuery.Length > 0)
        {
            context.Token = fromQuery;
        }
        else if (request.Path.StartsWithSegments("/dashboard"))
        {
            if (fromQuery.Length > 0)
            {
                context.Token = fromQuery;
                context.HttpContext.Response.Cookies.Append(TenantClaims.DashboardCookie, fromQuery, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = request.IsHttps,
                    Path = "/dashboard",
                });
            }
            else if (request.Cookies.TryGetValue(TenantClaims.DashboardCookie, out var cookie))
            {
                context.Token = cookie;
            }
        }

        return Task.CompletedTask;
    }
}
