using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.TestingHost;
using Transcoder.Abstractions;
using Transcoder.Storage;
using Transcoder.Testing;
using Transcoder.Worker;

namespace Transcoder.Grains.Tests;

/// <summary>
/// A two-silo Orleans test cluster with the real grains, runner, ffmpeg and S3 endpoint of the test stack, and a
/// Postgres database of its own for the job table and the queue (so the stack's own silo never claims these
/// jobs); grain state in memory. Faults can be injected into job row writes (<see cref="FlakyJobRecords"/>). Retry timings are shortened so retries are observable.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public TestCluster Cluster { get; private set; } = null!;

    public IObjectStore Store => Cluster.GetSiloServiceProvider().GetRequiredService<IObjectStore>();

    /// <summary>The runner of each silo.</summary>
    public IReadOnlyList<WorkRunner> Runners =>
        [.. Cluster.Silos.OfType<InProcessSiloHandle>().Select(s => s.SiloHost.Services.GetRequiredService<WorkRunner>())];

    public IJobRecordRepository Records => Cluster.GetSiloServiceProvider().GetRequiredService<IJobRecordRepository>();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("grain_tests");
        var connectionString = _database.ConnectionString;
        await using (var data = NpgsqlDataSource.Create(connectionString))
        {
            await new DatabaseMigrator(data, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
        }

        var builder = new TestClusterBuilder(2);
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(Settings(connectionString)));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await Store.EnsureBucketAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static Dictionary<string, string?> Settings(string connectionString) => new()
    {
        ["Postgres:ConnectionString"] = connectionString,
        ["ObjectStore:ServiceUrl"] = TestStack.S3Url,
        ["ObjectStore:Bucket"] = TestStack.Bucket,
        ["ObjectStore:AccessKey"] = "S3RVER",
        ["ObjectStore:SecretKey"] = "S3RVER",
        ["ObjectStore:PublicBaseUrl"] = $"{TestStack.S3Url}/{TestStack.Bucket}",
        ["Media:ScratchRoot"] = Path.Combine(TestStack.DataFolder, "grain-tests-scratch"),
        ["Fetch:AllowedHosts:0"] = "127.0.0.1",
        ["Jobs:RetryBaseDelay"] = "00:00:00.200",
        ["Jobs:WatchdogPeriod"] = "00:00:01",
        ["Worker:PollInterval"] = "00:00:00.200",
        ["Worker:EncodeSlots"] = "1",
        ["Ladder:Preset"] = "ultrafast",
    };

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorage(GrainStorage.Jobs);
            siloBuilder.AddMemoryGrainStorage(GrainStorage.PubSub);
            siloBuilder.AddMemoryStreams(JobStreams.ProviderName);
            siloBuilder.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
            siloBuilder.Services.AddTranscoderStorage(siloBuilder.Configuration, initialize: false);
            siloBuilder.Services.AddTranscoderGrains(siloBuilder.Configuration);
            siloBuilder.Services.AddTranscoderWorker(siloBuilder.Configuration);
            siloBuilder.Services.AddSingleton<JobRecordRepository>();
            siloBuilder.Services.AddSingleton<IJobRecordRepository, FlakyJobRecords>();
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(JobStreams.ProviderName);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
