using Transcoder.ServiceDefaults;
using Transcoder.Silo;
using Transcoder.Storage;

var builder = WebApplication.CreateBuilder(args);

if (args.Contains("--migrate-only"))
{
    // The Helm pre-install/pre-upgrade hook: apply the schema and exit.
    builder.AddTranscoderStorage(initialize: false);
    using var migrator = builder.Build();
    await migrator.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
    return;
}

builder.AddServiceDefaults("transcoder-silo");
builder.AddTranscoderStorage(initialize: true);
builder.AddTranscoderSilo();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapDrainEndpoint();
await app.RunAsync();
