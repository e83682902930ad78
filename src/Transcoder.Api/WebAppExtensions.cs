using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Transcoder.Storage;

namespace Transcoder.Api;

/// <summary>
/// The browser app at <c>/</c>: static files the build copies next to the API (WebApp/public, with the player
/// and SignalR libraries from npm). It signs in with a bearer token and calls the same API as any client. Its
/// responses carry a Content-Security-Policy that admits this origin's scripts only (no inline script), media and
/// images from the bucket's public URL, part uploads to the bucket's endpoint, and no framing.
/// </summary>
public static class WebAppExtensions
{
    public static WebApplication UseWebApp(this WebApplication app)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "app");
        if (!Directory.Exists(folder))
        {
            return app;
        }

        var policy = ContentSecurityPolicy(app.Services.GetRequiredService<IOptions<ObjectStoreOptions>>().Value);
        var files = new PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";

                // The page and its scripts change with every release: revalidate rather than cache blindly.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }

    /// <summary>
    /// The app's policy: scripts, styles, fonts and API calls from this origin (the hub's WebSocket included); media,
    /// posters and storyboards from the bucket's public origin; part PUTs to the bucket's endpoint (for AWS, any
    /// S3 endpoint); the players' blob: media and workers, and the empty data: WebVTT track dash.js gives a text track
    /// before it fills it with cues.
    /// </summary>
    internal static string ContentSecurityPolicy(ObjectStoreOptions store)
    {
        var media = Origin(store.PublicBaseUrl);
        var uploads = string.IsNullOrEmpty(store.ServiceUrl) ? "https://*.amazonaws.com" : Origin(store.ServiceUrl);
        return string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            $"img-src 'self' data: blob: {media}",
            $"media-src 'self' blob: data: {media}",
            $"connect-src {string.Join(' ', new[] { "'self'", media, uploads }.Where(s => s.Length > 0).Distinct())}",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");
    }

    private static string Origin(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "";
}
