using System.Collections.Immutable;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Transcoder.Abstractions;

namespace Transcoder.Storage;

/// <summary>A page of a tenant's jobs and the cursor of the next page, if there is one.</summary>
public sealed record JobPage(IReadOnlyList<JobView> Jobs, string? NextCursor);

/// <summary>The queryable projection of jobs in the <c>transcode_jobs</c> table.</summary>
public interface IJobRecordRepository
{
    /// <summary>
    /// Writes the job as it now stands (the grain's projection of its state). Older views never overwrite newer ones;
    /// an ended job with a callback URL gets its webhook queued by the same statement.
    /// </summary>
    Task UpsertAsync(JobView job, CancellationToken cancellationToken);

    /// <summary>
    /// The tenant's jobs, newest first, after <paramref name="cursor"/> if given; only those with
    /// <paramref name="status"/>, and whose name contains <paramref name="nameContains"/> (any case), if given.
    /// </summary>
    Task<JobPage> ListAsync(string tenant, JobStatus? status, string? nameContains, int limit, JobCursor? cursor, CancellationToken cancellationToken);

    /// <summary>One job's row, or null.</summary>
    Task<JobView?> FindAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// The latest completed job of <paramref name="tenant"/> made from the same input bytes with the same ladder
    /// settings, whose outputs another job may reuse; null if there is none.
    /// </summary>
    Task<JobView?> FindReusableAsync(string tenant, string contentHash, string ladderHash, CancellationToken cancellationToken);

    /// <summary>
    /// Dead-lettered jobs, most recent first, after <paramref name="cursor"/> if given: one tenant's, or every
    /// tenant's when <paramref name="tenant"/> is null.
    /// </summary>
    Task<JobPage> ListDeadLettersAsync(string? tenant, int limit, JobCursor? cursor, CancellationToken cancellationToken);
}

/// <inheritdoc />
public sealed class JobRecordRepository(NpgsqlDataSource dataSource) : IJobRecordRepository
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal const string Columns = """
        id, tenant, status, stage, progress, priority, input_kind, input_location, created_at, started_at,
        completed_at, updated_at, processing_node, attempts, renditions, hls_key, dash_key, error_code, error_message, cost, poster_key, storyboard_key, playable_at,
        max_attempts, dead_lettered_at, error_detail, content_hash, ladder_hash, reused_from, callback_url,
        input_file_name, input_size_bytes, duration_seconds, name, source, tracks, package_notes, outputs
        """;

    public async Task UpsertAsync(JobView job, CancellationToken cancellationToken)
    {
        // An ended job with a callback URL also gets its webhook in the outbox, in the same statement: a row
        // that says "completed" always has its delivery queued, and writing the row again adds no second one
        // (the webhook id is the job, its status and when it ended: a retried job's next ending is another).
        const string sql = $"""
            WITH written AS (
            INSERT INTO transcode_jobs ({Columns})
            VALUES (@id, @tenant, @status, @stage, @progress, @priority, @input_kind, @input_location, @created_at, @started_at,
                    @completed_at, @updated_at, @processing_node, @attempts, @renditions, @hls_key, @dash_key, @error_code, @error_message, @cost, @poster_key, @storyboard_key, @playable_at,
                    @max_attempts, @dead_lettered_at, @error_detail, @content_hash, @ladder_hash, @reused_from, @callback_url,
                    @input_file_name, @input_size_bytes, @duration_seconds, @name, @source, @tracks, @package_notes, @outputs)
            ON CONFLICT (id) DO UPDATE SET
                status = EXCLUDED.status, stage = EXCLUDED.stage, progress = EXCLUDED.progress,
                started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at, updated_at = EXCLUDED.updated_at,
                processing_node = EXCLUDED.processing_node, attempts = EXCLUDED.attempts, renditions = EXCLUDED.renditions,
                hls_key = EXCLUDED.hls_key, dash_key = EXCLUDED.dash_key,
                error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message, cost = EXCLUDED.cost,
                poster_key = EXCLUDED.poster_key, storyboard_key = EXCLUDED.storyboard_key, playable_at = EXCLUDED.playable_at,
                dead_lettered_at = EXCLUDED.dead_lettered_at, error_detail = EXCLUDED.error_detail,
                content_hash = EXCLUDED.content_hash, ladder_hash = EXCLUDED.ladder_hash, reused_from = EXCLUDED.reused_from,
                duration_seconds = EXCLUDED.duration_seconds, source = EXCLUDED.source, package_notes = EXCLUDED.package_notes
            WHERE transcode_jobs.updated_at <= EXCLUDED.updated_at
            RETURNING id, tenant, status, completed_at, updated_at, callback_url)
            INSERT INTO webhook_deliveries (id, job_id, tenant, event, url)
            SELECT 'msg_' || replace(id::text, '-', '') || '_' || status || '_' || (extract(epoch FROM coalesce(completed_at, updated_at)) * 1000)::bigint,
                   id, tenant, 'job.' || status, callback_url
            FROM written
            WHERE callback_url IS NOT NULL AND status IN ('completed', 'failed', 'canceled')
            ON CONFLICT (id) DO NOTHING
            """;
        await using var command = dataSource.CreateCommand(sql);
        var p = command.Parameters;
        var spec = job.Spec;
        var outputs = job.Outputs;
        p.AddWithValue("id", job.Id);
        p.AddWithValue("tenant", spec.Tenant);
        p.AddWithValue("status", job.Status.ToWire());
        p.AddWithValue("stage", job.Stage);
        p.AddWithValue("progress", (float)job.Progress);
        p.AddWithValue("priority", (short)spec.Priority);
        p.AddWithValue("input_kind", InputKind(spec.Input));
        p.AddWithValue("input_location", spec.Input.Location);
        p.Add(Nullable("input_file_name", NpgsqlDbType.Text, spec.Input.FileName));
        p.Add(Nullable("input_size_bytes", NpgsqlDbType.Bigint, spec.Input.SizeBytes));
        p.AddWithValue("created_at", job.CreatedAt.UtcDateTime);
        p.Add(Nullable("started_at", NpgsqlDbType.TimestampTz, job.StartedAt?.UtcDateTime));
        p.Add(Nullable("completed_at", NpgsqlDbType.TimestampTz, job.CompletedAt?.UtcDateTime));
        p.AddWithValue("updated_at", job.UpdatedAt.UtcDateTime);
        p.Add(Nullable("processing_node", NpgsqlDbType.Text, job.ProcessingNode));
        p.AddWithValue("attempts", job.Attempts);
        p.Add(new NpgsqlParameter("renditions", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(outputs is { Renditions.IsDefault: false } ? outputs.Renditions : [], Json) });
        p.Add(Nullable("hls_key", NpgsqlDbType.Text, outputs?.HlsKey));
        p.Add(Nullable("dash_key", NpgsqlDbType.Text, outputs?.DashKey));
        p.Add(Nullable("error_code", NpgsqlDbType.Text, job.Error?.Code));
        p.Add(Nullable("error_message", NpgsqlDbType.Text, job.Error?.Message));
        p.Add(Nullable("error_detail", NpgsqlDbType.Text, job.Error?.Detail));
        p.Add(Nullable("poster_key", NpgsqlDbType.Text, outputs?.PosterKey));
        p.Add(Nullable("storyboard_key", NpgsqlDbType.Text, outputs?.StoryboardKey));
        p.Add(Nullable("playable_at", NpgsqlDbType.TimestampTz, job.PlayableAt?.UtcDateTime));
        p.Add(new NpgsqlParameter("cost", NpgsqlDbType.Jsonb) { Value = outputs?.Cost is { } cost ? JsonSerializer.Serialize(cost, Json) : DBNull.Value });
        p.Add(Nullable("max_attempts", NpgsqlDbType.Smallint, spec.MaxAttempts is { } max ? (short?)max : null));
        p.Add(Nullable("dead_lettered_at", NpgsqlDbType.TimestampTz, job.DeadLetteredAt?.UtcDateTime));
        p.Add(Nullable("content_hash", NpgsqlDbType.Text, outputs?.ContentHash));
        p.Add(Nullable("ladder_hash", NpgsqlDbType.Text, outputs?.LadderHash));
        p.Add(Nullable("reused_from", NpgsqlDbType.Uuid, outputs?.ReusedFrom));
        p.Add(Nullable("callback_url", NpgsqlDbType.Text, spec.CallbackUrl));
        p.Add(Nullable("duration_seconds", NpgsqlDbType.Double, outputs?.DurationSeconds));
        p.Add(Nullable("name", NpgsqlDbType.Text, spec.Name));
        p.Add(new NpgsqlParameter("source", NpgsqlDbType.Jsonb) { Value = outputs?.Source is { } source ? JsonSerializer.Serialize(source, Json) : DBNull.Value });
        p.Add(new NpgsqlParameter("tracks", NpgsqlDbType.Jsonb) { Value = spec.Tracks is { } tracks ? JsonSerializer.Serialize(tracks, Json) : DBNull.Value });
        p.Add(new NpgsqlParameter("package_notes", NpgsqlDbType.Jsonb)
        {
            Value = outputs is null ? DBNull.Value : JsonSerializer.Serialize(new PackageNotes(outputs.Skipped.IsDefault ? [] : outputs.Skipped, outputs.Warnings.IsDefault ? [] : outputs.Warnings, outputs.ToneMapped, outputs.Chunks, outputs.Silos,
                outputs.Downloads.IsDefault ? [] : outputs.Downloads, outputs.Stills.IsDefault ? [] : outputs.Stills), Json),
        });
        p.Add(new NpgsqlParameter("outputs", NpgsqlDbType.Jsonb) { Value = spec.Outputs is { } asked ? JsonSerializer.Serialize(asked, Json) : DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>What the package says about its tracks beside its renditions, as the row keeps it.</summary>
    private sealed record PackageNotes(ImmutableArray<SkippedTrack> Skipped, ImmutableArray<JobWarning> Warnings, bool ToneMapped, int Chunks = 1, int Silos = 1,
        ImmutableArray<DownloadFile> Downloads = default, ImmutableArray<StillFile> Stills = default);

    public async Task<JobPage> ListAsync(string tenant, JobStatus? status, string? nameContains, int limit, JobCursor? cursor, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT {Columns} FROM transcode_jobs
            WHERE tenant = @tenant
              AND (@status::text IS NULL OR status = @status)
              AND (@name::text IS NULL OR name ILIKE '%' || @name || '%' ESCAPE '\')
              AND (@after_created::timestamptz IS NULL OR (created_at, id) < (@after_created, @after_id))
            ORDER BY created_at DESC, id DESC
            LIMIT @limit
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Text) { Value = (object?)status?.ToWire() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = (object?)EscapeLike(nameContains) ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("after_created", NpgsqlDbType.TimestampTz) { Value = (object?)cursor?.CreatedAt.UtcDateTime ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("after_id", NpgsqlDbType.Uuid) { Value = (object?)cursor?.Id ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit + 1);

        var jobs = await ReadAllAsync(command, limit + 1, cancellationToken);
        return Page(jobs, limit, job => job.CreatedAt);
    }

    private static async Task<List<JobView>> ReadAllAsync(NpgsqlCommand command, int capacity, CancellationToken cancellationToken)
    {
        var jobs = new List<JobView>(capacity);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(Read(reader));
        }

        return jobs;
    }

    /// <summary>The first <paramref name="limit"/> jobs, and a cursor at the last one if more were read.</summary>
    private static JobPage Page(List<JobView> jobs, int limit, Func<JobView, DateTimeOffset> orderedBy)
    {
        string? next = null;
        if (jobs.Count > limit)
        {
            jobs.RemoveAt(jobs.Count - 1);
            next = new JobCursor(orderedBy(jobs[^1]), jobs[^1].Id).Encode();
        }

        return new JobPage(jobs, next);
    }

    public async Task<JobPage> ListDeadLettersAsync(string? tenant, int limit, JobCursor? cursor, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT {Columns} FROM transcode_jobs
            WHERE dead_lettered_at IS NOT NULL
              AND (@tenant::text IS NULL OR tenant = @tenant)
              AND (@after_at::timestamptz IS NULL OR (dead_lettered_at, id) < (@after_at, @after_id))
            ORDER BY dead_lettered_at DESC, id DESC
            LIMIT @limit
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Text) { Value = (object?)tenant ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("after_at", NpgsqlDbType.TimestampTz) { Value = (object?)cursor?.CreatedAt.UtcDateTime ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("after_id", NpgsqlDbType.Uuid) { Value = (object?)cursor?.Id ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit + 1);
        var jobs = await ReadAllAsync(command, limit + 1, cancellationToken);
        return Page(jobs, limit, job => job.DeadLetteredAt!.Value);
    }

    public async Task<JobView?> FindReusableAsync(string tenant, string contentHash, string ladderHash, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {Columns} FROM transcode_jobs
            WHERE tenant = @tenant AND content_hash = @content_hash AND ladder_hash = @ladder_hash AND status = 'completed'
            ORDER BY completed_at DESC
            LIMIT 1
            """);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("content_hash", contentHash);
        command.Parameters.AddWithValue("ladder_hash", ladderHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<JobView?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM transcode_jobs WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    internal static JobView Read(NpgsqlDataReader reader)
    {
        _ = JobStatusExtensions.TryParseWire(reader.GetString(2), out var status);
        var errorCode = reader.IsDBNull(17) ? null : reader.GetString(17);
        var renditions = JsonSerializer.Deserialize<ImmutableArray<Rendition>>(reader.GetString(14), Json);
        var hlsKey = reader.IsDBNull(15) ? null : reader.GetString(15);
        var notes = reader.IsDBNull(36) ? null : JsonSerializer.Deserialize<PackageNotes>(reader.GetString(36), Json);
        var input = new JobInput(
            reader.GetString(6) == "url" ? JobInputKind.Url : JobInputKind.Upload,
            reader.GetString(7),
            reader.IsDBNull(30) ? null : reader.GetString(30),
            reader.IsDBNull(31) ? null : reader.GetInt64(31));
        return new JobView
        {
            Id = reader.GetGuid(0),
            Spec = new JobSpec(
                reader.GetString(1),
                input,
                reader.GetInt16(5),
                reader.IsDBNull(23) ? null : reader.GetInt16(23),
                reader.IsDBNull(29) ? null : reader.GetString(29),
                reader.IsDBNull(33) ? null : reader.GetString(33),
                reader.IsDBNull(35) ? null : JsonSerializer.Deserialize<TrackOptions>(reader.GetString(35), Json),
                reader.IsDBNull(37) ? null : JsonSerializer.Deserialize<OutputOptions>(reader.GetString(37), Json)),
            Status = status,
            Stage = reader.GetString(3),
            Progress = reader.GetFloat(4),
            CreatedAt = ReadTime(reader, 8)!.Value,
            StartedAt = ReadTime(reader, 9),
            CompletedAt = ReadTime(reader, 10),
            UpdatedAt = ReadTime(reader, 11)!.Value,
            ProcessingNode = reader.IsDBNull(12) ? null : reader.GetString(12),
            Attempts = reader.GetInt32(13),
            Error = errorCode is null ? null : new JobError(errorCode, reader.IsDBNull(18) ? "" : reader.GetString(18), reader.IsDBNull(25) ? null : reader.GetString(25)),
            PlayableAt = ReadTime(reader, 22),
            DeadLetteredAt = ReadTime(reader, 24),
            Outputs = hlsKey is null && renditions.IsDefaultOrEmpty ? null : new JobOutputs
            {
                Renditions = renditions.IsDefault ? [] : renditions,
                HlsKey = hlsKey,
                DashKey = reader.IsDBNull(16) ? null : reader.GetString(16),
                Cost = reader.IsDBNull(19) ? null : JsonSerializer.Deserialize<JobCost>(reader.GetString(19), Json),
                PosterKey = reader.IsDBNull(20) ? null : reader.GetString(20),
                StoryboardKey = reader.IsDBNull(21) ? null : reader.GetString(21),
                ContentHash = reader.IsDBNull(26) ? null : reader.GetString(26),
                LadderHash = reader.IsDBNull(27) ? null : reader.GetString(27),
                ReusedFrom = reader.IsDBNull(28) ? null : reader.GetGuid(28),
                DurationSeconds = reader.IsDBNull(32) ? 0 : reader.GetDouble(32),
                Source = reader.IsDBNull(34) ? null : JsonSerializer.Deserialize<SourceFacts>(reader.GetString(34), Json),
                Skipped = notes?.Skipped ?? [],
                Warnings = notes?.Warnings ?? [],
                ToneMapped = notes?.ToneMapped ?? false,
                Chunks = Math.Max(1, notes?.Chunks ?? 1),
                Silos = Math.Max(1, notes?.Silos ?? 1),
                Downloads = notes?.Downloads is { IsDefault: false } downloads ? downloads : [],
                Stills = notes?.Stills is { IsDefault: false } stills ? stills : [],
            },
        };
    }

    /// <summary>The text matched literally inside an ILIKE pattern: its wildcards and the escape character escaped.</summary>
    private static string? EscapeLike(string? text) =>
        string.IsNullOrEmpty(text) ? null : text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>How the row names a kind of input.</summary>
    internal static string InputKind(JobInput input) => input.Kind == JobInputKind.Url ? "url" : "upload";

    private static NpgsqlParameter Nullable<T>(string name, NpgsqlDbType type, T? value) =>
        new(name, type) { Value = value is null ? DBNull.Value : value };

    private static DateTimeOffset? ReadTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetDateTime(ordinal), TimeSpan.Zero);
}
