using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// Jobs people can tell apart and find: a name (given, or the file's, or the URL's last segment), a search by part
/// of it and by status, and once done the source's facts and the duration.
/// </summary>
public sealed class JobNamesTests : IDisposable
{
    private readonly ApiClient _api = new($"names-{Guid.NewGuid():N}"[..20]);
    private readonly string _folder = TestStack.NewScratchFolder("names");

    private string Missing(string file) => $"{TestStack.S3Url}/{TestStack.Bucket}/{Guid.NewGuid():N}/{file}";

    [Fact]
    public async Task Name_IsGiven_OrTheUrlsLastSegment_OrTheFilesName()
    {
        var given = await SubmitAsync(new { inputUrl = Missing("a.mp4"), name = "  Holiday in Lisbon  " });
        var fromUrl = await SubmitAsync(new { inputUrl = Missing("Summer%20cut%20%232.mp4") + "?sig=abc" });
        var uploaded = await _api.UploadAsync(await TestClips.VideoAsync(_folder, 320, 240, 1));

        Assert.Equal("Holiday in Lisbon", given["name"]!.GetValue<string>());
        Assert.Equal("Summer cut #2.mp4", fromUrl["name"]!.GetValue<string>());
        Assert.Equal(Path.GetFileName(await TestClips.VideoAsync(_folder, 320, 240, 1)), uploaded["name"]!.GetValue<string>());
        Assert.Equal("Holiday in Lisbon", (await _api.GetJobAsync(given["id"]!.GetValue<string>()))["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_FindsByPartOfTheName_AnyCase_AndByStatus_TakingWildcardsLiterally()
    {
        var trip = await SubmitAsync(new { inputUrl = Missing("1.mp4"), name = "Alpha trip" });
        var tripToo = await SubmitAsync(new { inputUrl = Missing("2.mp4"), name = "beta TRIP 100%" });
        await SubmitAsync(new { inputUrl = Missing("3.mp4"), name = "gamma" });
        await _api.WaitForEndAsync(trip["id"]!.GetValue<string>());
        await _api.WaitForEndAsync(tripToo["id"]!.GetValue<string>());

        Assert.Equal(["beta TRIP 100%", "Alpha trip"], await NamesAsync("q=Trip"));
        Assert.Equal(["beta TRIP 100%"], await NamesAsync("q=0%25"));
        Assert.Empty(await NamesAsync("q=%25%25%25"));
        Assert.Empty(await NamesAsync("q=_"));
        Assert.Equal(["beta TRIP 100%", "Alpha trip"], await NamesAsync("q=trip&status=failed"));
        Assert.Empty(await NamesAsync("q=trip&status=completed"));
    }

    [Fact]
    public async Task CompletedJob_HasItsSourceFactsAndDuration()
    {
        var job = await _api.UploadAsync(await TestClips.VideoAsync(_folder, 640, 360, 2, rate: 25));

        var done = await _api.WaitForEndAsync(job["id"]!.GetValue<string>());

        Assert.Equal("completed", done["status"]!.GetValue<string>());
        var source = done["source"]!;
        Assert.Contains("mp4", source["container"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("h264", source["videoCodec"]!.GetValue<string>());
        Assert.Equal((640, 360), (source["width"]!.GetValue<int>(), source["height"]!.GetValue<int>()));
        Assert.Equal(25, source["frameRate"]!.GetValue<double>());
        Assert.Equal("aac", source["audioCodec"]!.GetValue<string>());
        Assert.InRange(source["audioChannels"]!.GetValue<int>(), 1, 2);
        Assert.True(source["sizeBytes"]!.GetValue<long>() > 0);
        Assert.InRange(done["durationSeconds"]!.GetValue<double>(), 1.8, 2.2);
    }

    public void Dispose() => _api.Dispose();

    private async Task<JsonObject> SubmitAsync(object body)
    {
        using var response = await _api.Http.PostAsJsonAsync("/v1/jobs", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<List<string>> NamesAsync(string query) =>
        [.. (await _api.Http.GetFromJsonAsync<JsonObject>($"/v1/jobs?{query}"))!["items"]!.AsArray().Select(j => j!["name"]!.GetValue<string>())];
}
