using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Transcoder.Abstractions;
using Transcoder.Storage;
using Transcoder.Testing;

namespace Transcoder.Grains.Tests;

/// <summary>
/// A two-silo Orleans test cluster with the real grains, runner, ffmpeg, S3 endpoint and Postgres job table of
/// the test stack; grain state and reminders in memory. Retry timings are shortened so retries are observable.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IObjectStore Store => Cluster.GetSiloServiceProvider().GetRequiredService<IObjectStore>();

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(Settings()));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await Store.EnsureBucketAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Postgres:ConnectionString"] = TestStack.PostgresConnectionString,
        ["ObjectStore:ServiceUrl"] = TestStack.S3Url,
        ["ObjectStore:Bucket"] = TestStack.Bucket,
        ["ObjectStore:AccessKey"] = "S3RVER",
        ["ObjectStore:SecretKey"] = "S3RVER",
        ["ObjectStore:PublicBaseUrl"] = $"{TestStack.S3Url}/{TestStack.Bucket}",
        ["Media:ScratchRoot"] = Path.Combine(TestStack.DataFolder, "grain-tests-scratch"),
        ["Fetch:AllowedHosts:0"] = "127.0.0.1",
        ["Jobs:RetryBaseDelay"] = "00:00:00.200",
        ["Jobs:WatchdogPeriod"] = "00:00:01",
        ["Ladder:Preset"] = "ultrafast",
    };

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorage("jobs");
            siloBuilder.AddMemoryGrainStorage("PubSubStore");
            siloBuilder.AddMemoryStreams(JobStreams.ProviderName);
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
            siloBuilder.Services.AddTranscoderStorage(siloBuilder.Configuration, initialize: false);
            siloBuilder.Services.AddTranscoderGrains(siloBuilder.Configuration);
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
