using Npgsql;

namespace Transcoder.Storage;

/// <summary>How much a tenant may hold in uploads no job owns yet.</summary>
public sealed record UploadCaps(int MaxOpenUploads, long MaxOpenBytes);

/// <summary>The answer to a reservation: taken, or refused with what the tenant holds already.</summary>
public sealed record UploadReservation(bool Taken, int OpenUploads, long OpenBytes);

/// <summary>An upload that stayed pending past its age: what the sweeper must remove.</summary>
public sealed record StaleUpload(string ObjectKey, Guid JobId, string? UploadId, bool OwnedByJob);

/// <summary>
/// The <c>pending_uploads</c> ledger: every upload from before its file is stored until a job owns it. Caps are
/// checked and the row written under a per-tenant lock, so concurrent requests on any replica cannot overshoot.
/// </summary>
public interface IUploadLedger
{
    /// <summary>Records an upload of <paramref name="declaredBytes"/> for the tenant if its caps allow.</summary>
    Task<UploadReservation> ReserveAsync(string tenant, Guid jobId, string objectKey, long declaredBytes, UploadCaps caps, CancellationToken cancellationToken);

    /// <summary>Notes the bucket's multipart upload id once the upload has started.</summary>
    Task SetUploadIdAsync(string objectKey, string uploadId, CancellationToken cancellationToken);

    /// <summary>Forgets an upload: its job owns the file now, or the file is gone.</summary>
    Task ReleaseAsync(string objectKey, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="remove"/> on up to <paramref name="limit"/> uploads pending since before
    /// <paramref name="before"/>, each locked against other sweepers meanwhile, and forgets those it removed.
    /// Returns how many it removed.
    /// </summary>
    Task<int> SweepAsync(DateTimeOffset before, int limit, Func<StaleUpload, Task> remove, CancellationToken cancellationToken);
}

/// <inheritdoc />
public sealed class UploadLedger(NpgsqlDataSource dataSource) : IUploadLedger
{
    public async Task<UploadReservation> ReserveAsync(string tenant, Guid jobId, string objectKey, long declaredBytes, UploadCaps caps, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockTenant = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('pending_uploads/' || @tenant, 0))", connection, transaction))
        {
            lockTenant.Parameters.AddWithValue("tenant", tenant);
            await lockTenant.ExecuteNonQueryAsync(cancellationToken);
        }

        int open;
        long bytes;
        await using (var held = new NpgsqlCommand("SELECT count(*)::int, coalesce(sum(declared_bytes), 0)::bigint FROM pending_uploads WHERE tenant = @tenant", connection, transaction))
        {
            held.Parameters.AddWithValue("tenant", tenant);
            await using var reader = await held.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (open, bytes) = (reader.GetInt32(0), reader.GetInt64(1));
        }

        if (open >= caps.MaxOpenUploads || bytes + declaredBytes > caps.MaxOpenBytes)
        {
            return new UploadReservation(false, open, bytes);
        }

        await using (var insert = new NpgsqlCommand("""
            INSERT INTO pending_uploads (object_key, tenant, job_id, declared_bytes) VALUES (@key, @tenant, @job, @bytes)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("key", objectKey);
            insert.Parameters.AddWithValue("tenant", tenant);
            insert.Parameters.AddWithValue("job", jobId);
            insert.Parameters.AddWithValue("bytes", declaredBytes);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new UploadReservation(true, open + 1, bytes + declaredBytes);
    }

    public async Task SetUploadIdAsync(string objectKey, string uploadId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE pending_uploads SET upload_id = @upload WHERE object_key = @key");
        command.Parameters.AddWithValue("key", objectKey);
        command.Parameters.AddWithValue("upload", uploadId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReleaseAsync(string objectKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM pending_uploads WHERE object_key = @key");
        command.Parameters.AddWithValue("key", objectKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> SweepAsync(DateTimeOffset before, int limit, Func<StaleUpload, Task> remove, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var stale = new List<StaleUpload>();
        await using (var select = new NpgsqlCommand("""
            SELECT p.object_key, p.job_id, p.upload_id,
                   EXISTS (SELECT 1 FROM transcode_jobs j WHERE j.id = p.job_id AND j.input_location = p.object_key)
            FROM pending_uploads p
            WHERE p.created_at < @before
            ORDER BY p.created_at
            LIMIT @limit
            FOR UPDATE OF p SKIP LOCKED
            """, connection, transaction))
        {
            select.Parameters.AddWithValue("before", before);
            select.Parameters.AddWithValue("limit", limit);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                stale.Add(new StaleUpload(reader.GetString(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetBoolean(3)));
            }
        }

        var removed = new List<string>();
        foreach (var upload in stale)
        {
            await remove(upload);
            removed.Add(upload.ObjectKey);
        }

        await using (var delete = new NpgsqlCommand("DELETE FROM pending_uploads WHERE object_key = ANY(@keys)", connection, transaction))
        {
            delete.Parameters.AddWithValue("keys", removed.ToArray());
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return removed.Count;
    }
}
