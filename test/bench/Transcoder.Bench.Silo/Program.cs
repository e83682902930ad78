using Transcoder.Bench.Silo;
using Transcoder.Grains;
using Transcoder.ServiceDefaults;
using Transcoder.Silo;
using Transcoder.Storage;

// The silo's own start-up (src/Transcoder.Silo/Program.cs) with one substitution: attempts finish at once.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("transcoder-bench-silo");
builder.AddTranscoderStorage(initialize: true);
builder.AddTranscoderSilo();
builder.AddTranscoderGrains();
builder.Services.AddSingleton<IJobPipeline, InstantPipeline>();

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
