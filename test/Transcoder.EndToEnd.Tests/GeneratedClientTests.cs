using System.Collections;
using System.Net.Http.Headers;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// A client NSwag generates from the live OpenAPI document drives a job as API users' own code would: submit by
/// URL, get, list, cancel; without a token it gets 401, and a missing job is a 404 ProblemDetails.
/// </summary>
[Collection(TestOriginPort.Collection)]
public sealed class GeneratedClientTests : IDisposable
{
    private readonly ApiClient _api = new($"nswag-{Guid.NewGuid():N}"[..20]);
    private readonly string _folder = TestStack.NewScratchFolder("nswag");

    [Fact]
    public async Task ClientGeneratedFromTheLiveDocument_SubmitsGetsListsAndCancels()
    {
        var generated = await GeneratedClient.GenerateAsync(await _api.Http.GetStringAsync("/openapi/v1.json"));
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 4);
        var release = new TaskCompletionSource();
        // The origin holds the input back until the job has been canceled, so the job is surely still running.
        using var origin = TestOrigin.Start(TestStack.OriginPort, async context =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await using var file = File.OpenRead(clip);
            await file.CopyToAsync(context.Response.OutputStream);
            context.Response.Close();
        });

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _api.Token);
        var client = generated.Create(TestStack.ApiUrl, http);

        var request = generated.New("CreateJobRequest", ("InputUrl", origin.Url("held.mp4")), ("Priority", (int?)7));
        var created = (await generated.CallAsync(client, "CreateJob", ("body", request)))!;
        var id = (Guid)GeneratedClient.Get(created, "Id")!;
        Assert.Equal(7, GeneratedClient.Get(created, "Priority"));

        var fetched = (await generated.CallAsync(client, "GetJob", ("id", id)))!;
        Assert.Equal(id, GeneratedClient.Get(fetched, "Id"));

        var page = (await generated.CallAsync(client, "ListJobs", ("limit", (int?)10)))!;
        Assert.Contains(id, ((IEnumerable)GeneratedClient.Get(page, "Items")!).Cast<object>().Select(j => (Guid)GeneratedClient.Get(j, "Id")!));

        var canceled = (await generated.CallAsync(client, "CancelJob", ("id", id)))!;
        release.SetResult();
        Assert.Equal("canceled", GeneratedClient.Get(canceled, "Status"));

        var missing = await Assert.ThrowsAnyAsync<Exception>(() => generated.CallAsync(client, "GetJob", ("id", Guid.NewGuid())));
        Assert.Equal(404, GeneratedClient.StatusOf(missing));
        Assert.Equal("Job not found", GeneratedClient.Get(GeneratedClient.Get(missing, "Result")!, "Title"));

        using var anonymous = new HttpClient();
        var unauthorised = await Assert.ThrowsAnyAsync<Exception>(() => generated.CallAsync(generated.Create(TestStack.ApiUrl, anonymous), "ListJobs"));
        Assert.Equal(401, GeneratedClient.StatusOf(unauthorised));
    }

    public void Dispose() => _api.Dispose();
}
