using Transcoder.Api;
using Transcoder.Api.Apis;
using Transcoder.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("transcoder-api");
builder.AddTranscoderApi();

var app = builder.Build();

app.UseTranscoderApi();
app.MapDefaultEndpoints();
var v1 = app.MapGroup(ApiRoutes.V1).RequireAuthorization();
v1.MapJobsApi();
v1.MapUploadsApi();
v1.MapWebhooksApi();
v1.MapQueueApi();
app.MapTranscoderHubsAndTools();

await app.RunAsync();

/// <summary>The API's entry point; public so tests can host it.</summary>
public partial class Program;
