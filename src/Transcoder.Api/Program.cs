using Transcoder.Api;
using Transcoder.Api.Apis;
using Transcoder.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("transcoder-api");
builder.AddTranscoderApi();

var app = builder.Build();

app.UseTranscoderApi();
app.MapDefaultEndpoints();
app.MapJobsApi();
app.MapUploadsApi();
app.MapWebhooksApi();
app.MapQueueApi();
app.MapTranscoderHubsAndTools();

await app.RunAsync();

/// <summary>The API's entry point; public so tests can host it.</summary>
public partial class Program;
