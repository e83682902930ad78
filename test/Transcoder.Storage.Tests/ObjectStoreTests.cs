using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Transcoder.Testing;

namespace Transcoder.Storage.Tests;

[Collection(StorageCollection.Name)]
public class ObjectStoreTests(StorageFixture fixture)
{
    [Fact]
    public async Task Lifecycle_OnTheLocalEndpoint_WhichDoesNotImplementIt_IsReportedNotApplied() =>
        Assert.False(await fixture.Store.ApplyLifecycleAsync(CancellationToken.None));

    /// <summary>
    /// The local endpoint answers lifecycle requests 501 Not Implemented, so a loopback stand-in for S3 receives
    /// the request here and the test reads the rule the store sends.
    /// </summary>
    [Fact]
    public async Task Lifecycle_SendsTheArchiveRuleAndTheMultipartCleanup()
    {
        var port = FreePorts.Next();
        using var s3 = new HttpListener();
        s3.Prefixes.Add($"http://127.0.0.1:{port}/");
        s3.Start();
        var options = new ObjectStoreOptions
        {
            Bucket = "media", ServiceUrl = $"http://127.0.0.1:{port}", AccessKey = "key", SecretKey = "secret",
            PublicBaseUrl = "https://cdn.example.test", ArchiveAfterDays = 30, ArchiveStorageClass = "DEEP_ARCHIVE",
        };
        var store = new ObjectStore(ObjectStore.CreateClient(options), Options.Create(options), NullLogger<ObjectStore>.Instance);

        var applying = store.ApplyLifecycleAsync(CancellationToken.None);
        var request = await s3.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(30));
        string body;
        using (var reader = new StreamReader(request.Request.InputStream))
        {
            body = await reader.ReadToEndAsync();
        }

        var (method, url) = (request.Request.HttpMethod, request.Request.RawUrl);
        request.Response.StatusCode = 200;
        request.Response.Close();

        Assert.True(await applying);
        Assert.Equal("PUT", method);
        Assert.Matches("^/media/?\\?lifecycle", url);
        var rule = XDocument.Parse(body).Descendants().Single(e => e.Name.LocalName == "Rule");
        string Value(string name) => rule.Descendants().Single(e => e.Name.LocalName == name).Value;
        Assert.Equal(ObjectStore.LifecycleRuleId, Value("ID"));
        Assert.Equal("Enabled", Value("Status"));
        Assert.Equal("", Value("Prefix"));
        Assert.Equal("30", Value("Days"));
        Assert.Equal("DEEP_ARCHIVE", Value("StorageClass"));
        Assert.Equal("7", Value("DaysAfterInitiation"));
    }

    /// <summary>A browser's preflight for a part PUT from a configured origin is allowed, and ETag exposed; another origin is not.</summary>
    [Fact]
    public async Task Cors_LetsTheConfiguredOriginPutParts()
    {
        var options = new ObjectStoreOptions
        {
            Bucket = fixture.StoreOptions.Bucket, ServiceUrl = fixture.StoreOptions.ServiceUrl, AccessKey = fixture.StoreOptions.AccessKey,
            SecretKey = fixture.StoreOptions.SecretKey, PublicBaseUrl = fixture.StoreOptions.PublicBaseUrl, CorsOrigins = ["https://app.example.test"],
        };
        var store = new ObjectStore(ObjectStore.CreateClient(options), Options.Create(options), NullLogger<ObjectStore>.Instance);

        Assert.True(await store.ApplyCorsAsync(CancellationToken.None));

        using var http = new HttpClient();
        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, $"{options.ServiceUrl}/{options.Bucket}/tenant/job/source/input?partNumber=1&uploadId=x");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "PUT");
            return await http.SendAsync(preflight);
        }

        using var allowed = await PreflightAsync("https://app.example.test");
        using var refused = await PreflightAsync("https://evil.example.test");
        // S3 echoes the origin where the local endpoint answers "*"; either lets the browser go on.
        Assert.True(allowed.IsSuccessStatusCode, $"{allowed.StatusCode}");
        Assert.Contains(allowed.Headers.GetValues("Access-Control-Allow-Origin").Single(), new[] { "https://app.example.test", "*" });
        Assert.Contains("PUT", string.Join(',', allowed.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        Assert.False(refused.IsSuccessStatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task PutFile_ThenDownload_BytesAreIdentical()
    {
        // Catches silent corruption such as aws-chunked framing stored inside the object.
        var folder = Directory.CreateTempSubdirectory("objectstore-").FullName;
        var source = Path.Combine(folder, "segment.m4s");
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        await File.WriteAllBytesAsync(source, bytes);
        var key = $"tests/{Guid.NewGuid():N}/segment.m4s";

        await fixture.Store.PutFileAsync(key, source, "video/iso.segment", CancellationToken.None);
        var copy = Path.Combine(folder, "copy");
        await fixture.Store.DownloadAsync(key, copy, CancellationToken.None);

        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await File.ReadAllBytesAsync(copy)));
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task PutStream_ThenDownload_BytesAreIdentical()
    {
        var bytes = RandomNumberGenerator.GetBytes(70_000);
        var key = $"tests/{Guid.NewGuid():N}/upload";
        using (var stream = new MemoryStream(bytes))
        {
            await fixture.Store.PutStreamAsync(key, stream, "application/octet-stream", CancellationToken.None);
        }

        var copy = Path.GetTempFileName();
        File.Delete(copy);
        await fixture.Store.DownloadAsync(key, copy, CancellationToken.None);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(copy));
        File.Delete(copy);
    }

    [Fact]
    public async Task DeletePrefix_RemovesEveryObjectUnderIt()
    {
        var prefix = $"tests/{Guid.NewGuid():N}/";
        for (var i = 0; i < 3; i++)
        {
            using var stream = new MemoryStream([1, 2, 3]);
            await fixture.Store.PutStreamAsync($"{prefix}{i}", stream, "application/octet-stream", CancellationToken.None);
        }

        Assert.Equal(3, await fixture.Store.DeletePrefixAsync(prefix, CancellationToken.None));
        Assert.Empty(await fixture.Store.ListAsync(prefix, CancellationToken.None));
    }

    [Fact]
    public void PublicUrl_IsBuiltFromTheConfiguredBase() =>
        Assert.Equal("https://cdn.example.test/media/acme/j%201/master.m3u8", fixture.Store.PublicUrl("acme/j 1/master.m3u8").AbsoluteUri);

    [Theory]
    [InlineData("master.m3u8", "application/vnd.apple.mpegurl")]
    [InlineData("manifest.mpd", "application/dash+xml")]
    [InlineData("chunk-0-00001.m4s", "video/iso.segment")]
    [InlineData("init-0.m4s", "video/iso.segment")]
    public void ContentTypes_AreWhatPlayersExpect(string file, string expected) => Assert.Equal(expected, ContentTypes.ForFile(file));
}
