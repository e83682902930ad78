using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using StackExchange.Redis;
using Transcoder.Abstractions;
using Transcoder.Storage;
using Transcoder.Testing;

namespace Transcoder.Cluster.Tests;

/// <summary>
/// A cluster of its own for one fault test: silo processes on loopback joined through the test stack's Redis
/// under a cluster id of their own, a Postgres database of their own (job table, queue and grain state), the
/// stack's S3 endpoint, and an Orleans client in the test to submit and watch jobs. Leases and heartbeats are
/// short so that faults play out in seconds.
/// </summary>
public sealed class FaultCluster : IAsyncDisposable
{
    private readonly List<ServiceProcess> _silos = [];
    private TestDatabase _database = null!;
    private IHost? _client;
    private NpgsqlDataSource? _data;
    private string _objectStoreUrl = null!;
    private IReadOnlyDictionary<string, string> _extraSettings = null!;

    private FaultCluster()
    {
    }

    public IClusterClient Client => _client!.Services.GetRequiredService<IClusterClient>();

    public IObjectStore Store { get; private set; } = null!;

    /// <summary>The cluster's job table.</summary>
    public IJobRecordRepository Records { get; private set; } = null!;

    public IReadOnlyList<ServiceProcess> Silos => _silos;

    public string LogFolder => Path.Combine(TestStack.DataFolder, "cluster-tests", Id);

    /// <summary>The cluster id, service id and database name alike.</summary>
    private string Id => _database.Name;

    private string ConnectionString => _database.ConnectionString;

    /// <summary>
    /// Starts <paramref name="silos"/> silos (silo-a, silo-b, …) and a client. The silos reach the S3 endpoint at
    /// <paramref name="objectStoreUrl"/> if given (a proxy in front of it), else directly. <paramref name="settings"/>
    /// are added to (or replace) the silos' own.
    /// </summary>
    public static async Task<FaultCluster> StartAsync(int silos, string? objectStoreUrl = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var cluster = new FaultCluster { _objectStoreUrl = objectStoreUrl ?? TestStack.S3Url, _extraSettings = settings ?? new Dictionary<string, string>() };
        await cluster.CreateDatabaseAsync();
        await cluster.StartSilosAsync([.. Enumerable.Range(0, silos).Select(i => $"silo-{(char)('a' + i)}")]);

        cluster._client = Host.CreateDefaultBuilder()
            .UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.Id, cluster.Id));
                client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(TestStack.RedisConnectionString));

                // Silos that start later (other ports) are found within seconds, not the default minute.
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
            })
            .Build();
        await cluster._client.StartAsync();

        var store = new ObjectStoreOptions { ServiceUrl = TestStack.S3Url, Bucket = TestStack.Bucket, AccessKey = "S3RVER", SecretKey = "S3RVER", PublicBaseUrl = $"{TestStack.S3Url}/{TestStack.Bucket}" };
        cluster._data = NpgsqlDataSource.Create(cluster.ConnectionString);
        cluster.Records = new JobRecordRepository(cluster._data);
        cluster.Store = new ObjectStore(ObjectStore.CreateClient(store), Options.Create(store), NullLogger<ObjectStore>.Instance);
        return cluster;
    }

    /// <summary>
    /// The job's row. The test's pooled connections are cut when Postgres restarts, like everyone's: the first
    /// use of each fails once, so a read is tried again for a while.
    /// </summary>
    public async Task<JobView?> FindJobAsync(Guid id)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Records.FindAsync(id, CancellationToken.None);
            }
            catch (NpgsqlException) when (attempt < 40)
            {
                await Task.Delay(250, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Polls the job table (not the grain, whose silo may be the one just stopped) until the job's row meets
    /// the condition.
    /// </summary>
    public async Task<JobView> WaitForJobAsync(Guid id, Func<JobView, bool> condition, TimeSpan within) =>
        (await Eventually.ValueAsync(() => FindJobAsync(id), row => row is { } r && condition(r), within, $"job {id}: the condition was not met"))!;

    /// <summary>The silo with this name that is (or was last) running.</summary>
    public ServiceProcess Silo(string name) => _silos.Last(s => s.Name == name);

    /// <summary>Starts silos with these names one after another, each once the one before is ready.</summary>
    public async Task StartSilosAsync(params string[] names)
    {
        foreach (var name in names)
        {
            var settings = Settings();
            foreach (var (key, value) in _extraSettings)
            {
                settings[key] = value;
            }

            var silo = ServiceProcess.StartSilo(name, settings, LogFolder);
            _silos.Add(silo);
            await silo.WaitReadyAsync(TimeSpan.FromMinutes(2));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync();
            _client.Dispose();
        }

        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        if (_data is not null)
        {
            await _data.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    private async Task CreateDatabaseAsync()
    {
        _database = await TestDatabase.CreateAsync("faults");
        await using var data = NpgsqlDataSource.Create(ConnectionString);
        await new DatabaseMigrator(data, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["Cluster__RedisConnectionString"] = $"{TestStack.RedisConnectionString},abortConnect=false",
        ["Cluster__ClusterId"] = Id,
        ["Cluster__ServiceId"] = Id,
        ["Postgres__ConnectionString"] = ConnectionString,
        ["ObjectStore__ServiceUrl"] = _objectStoreUrl,
        ["ObjectStore__Bucket"] = TestStack.Bucket,
        ["ObjectStore__AccessKey"] = "S3RVER",
        ["ObjectStore__SecretKey"] = "S3RVER",
        ["ObjectStore__PublicBaseUrl"] = $"{TestStack.S3Url}/{TestStack.Bucket}",
        ["Media__ScratchRoot"] = Path.Combine(LogFolder, "scratch"),
        ["Worker__LeaseTimeout"] = "00:00:10",
        ["Jobs__HeartbeatTimeout"] = "00:00:10",
        ["Jobs__WatchdogPeriod"] = "00:00:02",
        ["Worker__HeartbeatInterval"] = "00:00:02",
        ["Worker__PollInterval"] = "00:00:00.250",
        ["Worker__EncodeSlots"] = "1",
        ["Worker__DrainTimeout"] = "00:00:00",
        ["Ladder__Preset"] = "ultrafast",
        ["DOTNET_NOLOGO"] = "1",
        ["Logging__LogLevel__Default"] = "Information",
        ["Logging__LogLevel__Polly"] = "Warning",
    };
}
