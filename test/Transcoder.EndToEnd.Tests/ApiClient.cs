using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>Talks to the running API over HTTP as one tenant.</summary>
public sealed class ApiClient : IDisposable
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(5);

    public ApiClient(string tenant, bool admin = false)
    {
        Tenant = tenant;
        Token = TestTokens.For(tenant, admin);
        Http = new HttpClient { BaseAddress = new Uri(TestStack.ApiUrl), Timeout = TimeSpan.FromMinutes(2) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public string Tenant { get; }

    public string Token { get; }

    public HttpClient Http { get; }

    /// <param name="path">The file.</param>
    /// <param name="priority">Its priority, or the default.</param>
    /// <param name="options">The JSON of the multipart form's 'options' field (audio, captions, outputs), or none.</param>
    public async Task<JsonObject> UploadAsync(string path, int? priority = null, string? options = null)
    {
        using var response = await PostFileAsync(path, priority, options: options);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal($"/v1/jobs/{job["id"]}", response.Headers.Location!.OriginalString);
        return job;
    }

    public async Task<HttpResponseMessage> PostFileAsync(string path, int? priority = null, string fileField = "file", string? callbackUrl = null, string? options = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(File.OpenRead(path));
        form.Add(file, fileField, Path.GetFileName(path));
        if (priority is { } p)
        {
            form.Add(new StringContent(p.ToString(System.Globalization.CultureInfo.InvariantCulture)), "priority");
        }

        if (callbackUrl is not null)
        {
            form.Add(new StringContent(callbackUrl), "callbackUrl");
        }

        if (options is not null)
        {
            form.Add(new StringContent(options), "options");
        }

        return await Http.PostAsync("/v1/jobs", form);
    }

    public async Task<JsonObject> GetJobAsync(string id) =>
        (await Http.GetFromJsonAsync<JsonObject>($"/v1/jobs/{id}"))!;

    /// <summary>Polls until the job ends (bounded by a deadline).</summary>
    public Task<JsonObject> WaitForEndAsync(string id) =>
        Eventually.ValueAsync(() => GetJobAsync(id), job => job["status"]!.GetValue<string>() is "completed" or "failed" or "canceled",
            JobTimeout, $"job {id} did not end", TimeSpan.FromMilliseconds(250));

    public static async Task<JsonObject> ReadProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize<JsonObject>(await response.Content.ReadAsStringAsync())!;
    }

    public void Dispose() => Http.Dispose();
}
