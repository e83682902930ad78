using Microsoft.Extensions.FileProviders;

namespace Transcoder.Api;

/// <summary>
/// The browser app at <c>/</c>: static files the build copies next to the API (WebApp/public, with the player
/// and SignalR libraries from npm). It signs in with a bearer token and calls the same API as any client.
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

        var files = new PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";

                // The page and its scripts change with every release: revalidate rather than cache blindly.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
