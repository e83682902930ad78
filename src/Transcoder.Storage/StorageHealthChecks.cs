using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Transcoder.Storage;

/// <summary>
/// Readiness: Postgres answers a query. After the server restarted (or failed over) every idle pooled connection is
/// dead and fails on its first use; so when the query fails that way the pool is cleared (the process's other queries
/// then get fresh connections too) and the query is tried once more before Postgres counts as down.
/// </summary>
internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            try
            {
                await QueryAsync(cancellationToken);
            }
            catch (NpgsqlException ex) when (IsDroppedConnection(ex))
            {
                dataSource.Clear();
                await QueryAsync(cancellationToken);
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("Postgres did not answer.", ex);
        }
    }

    private async Task QueryAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>The server ended the connection (class 57: operator intervention, e.g. a restart) or it broke under us.</summary>
    private static bool IsDroppedConnection(NpgsqlException ex) =>
        ex is PostgresException { SqlState: ['5', '7', ..] } || (ex is not PostgresException && ex.IsTransient);
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
