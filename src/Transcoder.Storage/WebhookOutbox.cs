using Npgsql;

namespace Transcoder.Storage;

/// <summary>A webhook to deliver: one ended job, to its callback URL.</summary>
public sealed record WebhookDelivery(string Id, Guid JobId, string Tenant, string Event, string Url, int Attempts);

/// <summary>What became of a webhook so far, as its job's owner may see it.</summary>
public sealed record WebhookDeliveryStatus(
    string Id, string Event, string Url, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt, DateTimeOffset? AbandonedAt, int? LastStatus, string? LastError);

/// <summary>
/// The <c>webhook_deliveries</c> outbox. Rows are added with the ended job's row (see
/// <see cref="JobRecordRepository.UpsertAsync"/>); silos claim due ones for a while, so that each is sent by one
/// silo at a time, and a claim whose silo died runs out and is taken again.
/// </summary>
public interface IWebhookOutbox
{
    /// <summary>Claims up to <paramref name="limit"/> due deliveries for <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(int limit, TimeSpan lease, CancellationToken cancellationToken);

    Task MarkDeliveredAsync(string id, int status, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt and when to try again.</summary>
    Task ScheduleRetryAsync(string id, DateTimeOffset nextAttemptAt, int? status, string error, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt after which no other is made.</summary>
    Task AbandonAsync(string id, int? status, string error, CancellationToken cancellationToken);

    /// <summary>A job's webhooks, oldest first.</summary>
    Task<IReadOnlyList<WebhookDeliveryStatus>> ListForJobAsync(Guid jobId, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> deliveries done (delivered or abandoned) before <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);
}

/// <inheritdoc />
public sealed class WebhookOutbox(NpgsqlDataSource dataSource) : IWebhookOutbox
{
    private const int MaxErrorLength = 500;

    public async Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE webhook_deliveries SET claimed_until = now() + @lease
            WHERE id IN (
                SELECT id FROM webhook_deliveries
                WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= now()
                  AND (claimed_until IS NULL OR claimed_until < now())
                ORDER BY next_attempt_at
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            RETURNING id, job_id, tenant, event, url, attempts
            """);
        command.Parameters.AddWithValue("lease", lease);
        command.Parameters.AddWithValue("limit", limit);
        var claimed = new List<WebhookDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new WebhookDelivery(reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5)));
        }

        return claimed;
    }

    public async Task<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            DELETE FROM webhook_deliveries
            WHERE id IN (
                SELECT id FROM webhook_deliveries
                WHERE (delivered_at IS NOT NULL OR abandoned_at IS NOT NULL) AND coalesce(delivered_at, abandoned_at) < @before
                LIMIT @limit)
            """);
        command.Parameters.AddWithValue("before", before);
        command.Parameters.AddWithValue("limit", limit);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task MarkDeliveredAsync(string id, int status, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            UPDATE webhook_deliveries
            SET attempts = attempts + 1, delivered_at = now(), claimed_until = NULL, last_status = @status, last_error = @error
            WHERE id = @id
            """, id, status, null, null, cancellationToken);

    public Task ScheduleRetryAsync(string id, DateTimeOffset nextAttemptAt, int? status, string error, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            UPDATE webhook_deliveries
            SET attempts = attempts + 1, next_attempt_at = @next, claimed_until = NULL, last_status = @status, last_error = @error
            WHERE id = @id
            """, id, status, error, nextAttemptAt, cancellationToken);

    public Task AbandonAsync(string id, int? status, string error, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            UPDATE webhook_deliveries
            SET attempts = attempts + 1, abandoned_at = now(), claimed_until = NULL, last_status = @status, last_error = @error
            WHERE id = @id
            """, id, status, error, null, cancellationToken);

    public async Task<IReadOnlyList<WebhookDeliveryStatus>> ListForJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, event, url, attempts, created_at, next_attempt_at, delivered_at, abandoned_at, last_status, last_error
            FROM webhook_deliveries WHERE job_id = @job ORDER BY created_at, id
            """);
        command.Parameters.AddWithValue("job", jobId);
        var list = new List<WebhookDeliveryStatus>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var delivered = Time(reader, 6);
            var abandoned = Time(reader, 7);
            list.Add(new WebhookDeliveryStatus(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), Time(reader, 4)!.Value,
                delivered is null && abandoned is null ? Time(reader, 5) : null, delivered, abandoned,
                reader.IsDBNull(8) ? null : reader.GetInt32(8), reader.IsDBNull(9) ? null : reader.GetString(9)));
        }

        return list;
    }

    private async Task ExecuteAsync(string sql, string id, int? status, string? error, DateTimeOffset? next, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("status", (object?)status ?? DBNull.Value);
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)error?[..Math.Min(error.Length, MaxErrorLength)] ?? DBNull.Value });

        if (next is { } at)
        {
            command.Parameters.AddWithValue("next", at.UtcDateTime);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetDateTime(ordinal), TimeSpan.Zero);
}
