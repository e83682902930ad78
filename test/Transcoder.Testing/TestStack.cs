namespace Transcoder.Testing;

/// <summary>
/// The real parts infra/local/test.sh started (Postgres, Redis, the S3 endpoint, a silo, the API), read from
/// the environment it exports. Tests that need them fail with a clear message when run without the script.
/// </summary>
public static class TestStack
{
    public static string ApiUrl => Require("TRANSCODER_API_URL");

    public static string PostgresConnectionString => Require("TRANSCODER_PG");

    public static string RedisConnectionString => Require("TRANSCODER_REDIS");

    public static string S3Url => Require("TRANSCODER_S3_URL");

    public static string Bucket => Require("TRANSCODER_BUCKET");

    public static string DataFolder => Require("TRANSCODER_DATA");

    /// <summary>Where the silo serves Prometheus metrics.</summary>
    public static string MetricsUrl => Require("TRANSCODER_METRICS_URL");

    /// <summary>The stack's silo's own HTTP endpoint (health, metrics, drain).</summary>
    public static string SiloUrl => MetricsUrl[..MetricsUrl.LastIndexOf('/')];

    /// <summary>A loopback port the stack's silos may fetch URLs from, for origins a test runs (see <see cref="TestOrigin"/>).</summary>
    public static int OriginPort => int.Parse(Require("TRANSCODER_TEST_ORIGIN_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The loopback port the stack trusts as a webhook receiver (webhooks to other private addresses are refused).</summary>
    public static int WebhookPort => int.Parse(Require("TRANSCODER_TEST_WEBHOOK_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The base64 key the stack's tokens are signed with.</summary>
    public static string SigningKey => File.ReadAllText(Path.Combine(DataFolder, "jwt.key")).Trim();

    /// <summary>
    /// The settings (environment variables) a process needs to join the stack as the stack's own API does: its
    /// cluster, Postgres, bucket and keys. A test adds what it changes.
    /// </summary>
    public static Dictionary<string, string> ServiceSettings() => new()
    {
        ["Cluster__RedisConnectionString"] = $"{RedisConnectionString},abortConnect=false",
        ["Postgres__ConnectionString"] = PostgresConnectionString,
        ["ObjectStore__ServiceUrl"] = S3Url,
        ["ObjectStore__Bucket"] = Bucket,
        ["ObjectStore__AccessKey"] = "S3RVER",
        ["ObjectStore__SecretKey"] = "S3RVER",
        ["ObjectStore__PublicBaseUrl"] = $"{S3Url}/{Bucket}",
        ["Auth__SigningKeys__0"] = SigningKey,
        ["Webhooks__SigningKey"] = File.ReadAllText(Path.Combine(DataFolder, "webhook.key")).Trim(),
        ["DOTNET_NOLOGO"] = "1",
    };

    /// <summary>The repository these tests were built from (the folder holding Transcoder.Orleans.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Transcoder.Orleans.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException($"No Transcoder.Orleans.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>Restarts the stack's Postgres or Redis in place ("postgres" or "redis"), down for a while in between.</summary>
    public static async Task RestartPartAsync(string part, TimeSpan down)
    {
        var script = Path.Combine(RepositoryRoot, "infra", "local", "restart-part.sh");
        await TestClips.RunAsync(script, [part, DataFolder, down.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
    }

    /// <summary>A folder for one test's files, under the stack's data folder.</summary>
    public static string NewScratchFolder(string name)
    {
        var path = Path.Combine(DataFolder, "test-scratch", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests through infra/local/test.sh, which starts the stack they need.");
}
