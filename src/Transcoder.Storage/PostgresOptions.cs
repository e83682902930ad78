using System.ComponentModel.DataAnnotations;

namespace Transcoder.Storage;

/// <summary>The Postgres database holding job metadata and Orleans grain state. Section "Postgres".</summary>
public sealed class PostgresOptions
{
    public const string SectionName = "Postgres";

    /// <summary>An Npgsql connection string. Required.</summary>
    [Required(ErrorMessage = "Postgres:ConnectionString is required.")]
    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending migrations when the host starts. Default true.</summary>
    public bool MigrateOnStart { get; set; } = true;
}
