using Transcoder.Bench.Silo;
using Transcoder.ServiceDefaults;
using Transcoder.Silo;
using Transcoder.Storage;
using Transcoder.Worker;

// The silo's own start-up (src/Transcoder.Silo/Program.cs) with one substitution: ladder runs finish at once.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("transcoder-bench-silo");
builder.AddTranscoderStorage(initialize: true);
builder.AddTranscoderSilo();
builder.Services.AddSingleton<IWorkPipeline, InstantPipeline>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapDrainEndpoint();
await app.RunAsync();
