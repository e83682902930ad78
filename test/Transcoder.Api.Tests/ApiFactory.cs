using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Transcoder.Testing;

namespace Transcoder.Api.Tests;

/// <summary>
/// The API's own host, in-process, with nothing behind it: its Orleans client never connects (its hosted services are
/// left out), and Postgres, Redis and the object store are addresses nothing listens on. What these tests send is
/// answered before any of them would be asked: validation, authentication, the OpenAPI document.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    /// <summary>The key tokens are signed with here.</summary>
    public static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static readonly int Closed = FreePorts.Next();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        var settings = Settings();
        AddSettings(settings);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            var orleans = services.Where(d => d.ServiceType == typeof(IHostedService) && IsOrleans(d)).ToList();
            foreach (var descriptor in orleans)
            {
                services.Remove(descriptor);
            }
        });
    }

    /// <summary>A client whose requests carry a token of <paramref name="tenant"/>.</summary>
    public HttpClient ClientFor(string tenant, bool admin = false)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenant, admin, key: SigningKey));
        return client;
    }

    /// <summary>Settings a derived factory adds or replaces.</summary>
    protected virtual void AddSettings(Dictionary<string, string> settings)
    {
    }

    private static Dictionary<string, string> Settings() => new()
    {
        ["Cluster:RedisConnectionString"] = $"127.0.0.1:{Closed},abortConnect=false,connectTimeout=200",
        ["Postgres:ConnectionString"] = $"Host=127.0.0.1;Port={Closed};Username=none;Database=none;Timeout=1",
        ["ObjectStore:ServiceUrl"] = $"http://127.0.0.1:{Closed}",
        ["ObjectStore:Bucket"] = "api-tests",
        ["ObjectStore:AccessKey"] = "none",
        ["ObjectStore:SecretKey"] = "none",
        ["ObjectStore:PublicBaseUrl"] = "https://cdn.example.test/media",
        ["Auth:Issuer"] = TestTokens.Issuer,
        ["Auth:Audience"] = TestTokens.Audience,
        ["Auth:SigningKeys:0"] = SigningKey,
        ["Webhooks:SigningKey"] = Convert.ToBase64String(new byte[32]),
    };

    private static bool IsOrleans(ServiceDescriptor descriptor)
    {
        var type = descriptor.ImplementationType ?? descriptor.ImplementationInstance?.GetType() ?? descriptor.ImplementationFactory?.Method.DeclaringType;
        return type?.Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true;
    }
}
