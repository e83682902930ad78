using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Transcoder.Storage;

/// <summary>Readiness: Postgres answers a query.</summary>
internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("Postgres did not answer.", ex);
        }
    }
}

/// <summary>Readiness: the bucket answers.</summary>
internal sealed class ObjectStoreHealthCheck(IObjectStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.CheckAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ObjectStoreFailures.IsStoreOrNetwork(ex))
        {
            return HealthCheckResult.Unhealthy("The object store did not answer.", ex);
        }
    }
}
