using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// Uploads larger than a part. Resumable uploads: S3 multipart with presigned part URLs, the parts going straight
/// to the S3 endpoint; the test stack sets 5 MiB parts (see infra/local/test.sh), so a 13 MB clip is three parts.
/// Plain multipart/form-data POSTs: streamed on to the bucket as they arrive, in 8 MiB parts.
/// </summary>
public sealed class ResumableUploadTests : IDisposable
{
    private readonly ApiClient _owner = new($"upload-{Guid.NewGuid():N}"[..20]);
    private readonly ApiClient _stranger = new($"other-{Guid.NewGuid():N}"[..20]);
    private readonly HttpClient _bucket = new();
    private readonly string _folder = TestStack.NewScratchFolder("resumable");

    [Fact]
    public async Task UploadCutOffInItsSecondPart_ResumesWithoutResendingTheFirst_AndItsJobCompletes()
    {
        var clip = await LargeClipAsync();
        var bytes = await File.ReadAllBytesAsync(clip);
        var upload = await CreateAsync(_owner, bytes.Length);
        var (id, uploadId, partSize) = (upload["id"]!.GetValue<string>(), upload["uploadId"]!.GetValue<string>(), upload["partSize"]!.GetValue<long>());
        Assert.Equal(3, upload["partCount"]!.GetValue<int>());

        await PutPartAsync(_owner, id, uploadId, 1, Part(bytes, 1, partSize));

        // The connection drops after a megabyte of part 2: the bucket keeps nothing of it.
        var url = await PartUrlAsync(_owner, id, uploadId, 2);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _bucket.PutAsync(url, new CutOffContent(Part(bytes, 2, partSize), 1 << 20)));

        var status = await _owner.Http.GetFromJsonAsync<JsonObject>($"/v1/uploads/{id}?uploadId={Uri.EscapeDataString(uploadId)}");
        var held = status!["parts"]!.AsArray();
        Assert.Equal(1, Assert.Single(held)!["partNumber"]!.GetValue<int>());
        Assert.Equal(partSize, status["bytesReceived"]!.GetValue<long>());

        // Resume: only the parts not held.
        foreach (var number in new[] { 2, 3 })
        {
            await PutPartAsync(_owner, id, uploadId, number, Part(bytes, number, partSize));
        }

        using var completed = await CompleteAsync(_owner, id, uploadId, priority: 3);
        Assert.Equal(HttpStatusCode.Accepted, completed.StatusCode);
        var job = (await completed.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(id, job["id"]!.GetValue<string>());
        Assert.Equal(3, job["priority"]!.GetValue<int>());

        using (var again = await CompleteAsync(_owner, id, uploadId, priority: 3))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        }

        var ended = await _owner.WaitForEndAsync(id);
        Assert.Equal("completed", ended["status"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), ended["contentSha256"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnotherTenantsUpload_IsNotFound_AndBadRequestsAre400()
    {
        var upload = await CreateAsync(_owner, 12 << 20);
        var (id, uploadId) = (upload["id"]!.GetValue<string>(), Uri.EscapeDataString(upload["uploadId"]!.GetValue<string>()));

        using (var read = await _stranger.Http.GetAsync($"/v1/uploads/{id}?uploadId={uploadId}"))
        using (var sign = await _stranger.Http.GetAsync($"/v1/uploads/{id}/parts/1?uploadId={uploadId}"))
        using (var complete = await CompleteAsync(_stranger, id, upload["uploadId"]!.GetValue<string>()))
        using (var abort = await _stranger.Http.DeleteAsync($"/v1/uploads/{id}?uploadId={uploadId}"))
        {
            Assert.All([read, sign, complete, abort], r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        }

        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Post, "/v1/uploads", """{"size":0}"""),
            (HttpMethod.Post, "/v1/uploads", """{"size":99999999999999}"""),
            (HttpMethod.Post, "/v1/uploads", """{"size":10,"colour":"blue"}"""),
            (HttpMethod.Get, $"/v1/uploads/{id}", null),
            (HttpMethod.Get, $"/v1/uploads/{id}/parts/0?uploadId={uploadId}", null),
            (HttpMethod.Get, $"/v1/uploads/{id}/parts/10001?uploadId={uploadId}", null),
            (HttpMethod.Post, $"/v1/uploads/{id}/complete", """{"priority":1}"""),
            (HttpMethod.Post, $"/v1/uploads/{id}/complete", $$"""{"uploadId":"{{uploadId}}","priority":11}"""),
        })
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            using var response = await _owner.Http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} {body}: {(int)response.StatusCode}");
            await ApiClient.ReadProblemAsync(response);
        }

        // A gap in the parts is refused; the upload stays, so it can still be finished.
        await PutPartAsync(_owner, id, upload["uploadId"]!.GetValue<string>(), 2, new byte[1000]);
        using (var gap = await CompleteAsync(_owner, id, upload["uploadId"]!.GetValue<string>()))
        {
            Assert.Equal(HttpStatusCode.BadRequest, gap.StatusCode);
            Assert.Contains("Part 1", (await ApiClient.ReadProblemAsync(gap))["errors"]!["parts"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        }

        using (var abort = await _owner.Http.DeleteAsync($"/v1/uploads/{id}?uploadId={uploadId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, abort.StatusCode);
        }

        using var gone = await _owner.Http.GetAsync($"/v1/uploads/{id}?uploadId={uploadId}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var job = await _owner.Http.GetAsync($"/v1/jobs/{id}");
        Assert.Equal(HttpStatusCode.NotFound, job.StatusCode);
    }

    [Fact]
    public async Task PlainUpload_OfSeveralParts_IsStreamedToTheBucketWhole_AndABadFieldAfterTheFileLeavesNothing()
    {
        var clip = await LargeClipAsync();

        var job = await _owner.UploadAsync(clip, priority: 2);
        var ended = await _owner.WaitForEndAsync(job["id"]!.GetValue<string>());
        Assert.Equal("completed", ended["status"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(clip))), ended["contentSha256"]!.GetValue<string>());

        // The priority comes after the file, so the file is stored before the form is known to be bad.
        var before = await Leftovers.ObjectsAsync(_stranger.Tenant);
        using var bad = await _stranger.PostFileAsync(clip, priority: 42);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await ApiClient.ReadProblemAsync(bad))["errors"]!.AsObject().ContainsKey("priority"));
        Assert.Equal(before, await Leftovers.ObjectsAsync(_stranger.Tenant));
    }

    public void Dispose()
    {
        _owner.Dispose();
        _stranger.Dispose();
        _bucket.Dispose();
    }

    /// <summary>A one-second clip of lossless noise: about 13 MB, so three 5 MiB parts.</summary>
    private async Task<string> LargeClipAsync()
    {
        var path = Path.Combine(_folder, "noise.mp4");
        await TestClips.RunAsync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=1",
            "-vf", "noise=alls=60:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", path]);
        return path;
    }

    private static byte[] Part(byte[] file, int number, long partSize)
    {
        var start = (int)((number - 1) * partSize);
        return file[start..(int)Math.Min(file.Length, start + partSize)];
    }

    private static async Task<JsonObject> CreateAsync(ApiClient api, long size)
    {
        using var response = await api.Http.PostAsJsonAsync("/v1/uploads", new { size });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<Uri> PartUrlAsync(ApiClient api, string id, string uploadId, int number)
    {
        var answer = await api.Http.GetFromJsonAsync<JsonObject>($"/v1/uploads/{id}/parts/{number}?uploadId={Uri.EscapeDataString(uploadId)}");
        return new Uri(answer!["url"]!.GetValue<string>());
    }

    private async Task PutPartAsync(ApiClient api, string id, string uploadId, int number, byte[] bytes)
    {
        // No credentials: the URL is the permission.
        using var response = await _bucket.PutAsync(await PartUrlAsync(api, id, uploadId, number), new ByteArrayContent(bytes));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
    }

    private static Task<HttpResponseMessage> CompleteAsync(ApiClient api, string id, string uploadId, int? priority = null) =>
        api.Http.PostAsJsonAsync($"/v1/uploads/{id}/complete", new { uploadId, fileName = "noise.mp4", priority });

    /// <summary>A body that announces all its bytes, sends some, then fails, as a dropped connection does.</summary>
    private sealed class CutOffContent(byte[] bytes, int sendBeforeFailing) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(bytes.AsMemory(0, sendBeforeFailing));
            await stream.FlushAsync();
            throw new IOException("connection lost");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
