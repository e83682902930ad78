using System.Security.Cryptography;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>Smart caching: the same bytes from the same tenant reuse the outputs of the job that made them.</summary>
public sealed class OutputReuseTests : IDisposable
{
    private readonly ApiClient _owner = new($"reuse-{Guid.NewGuid():N}"[..20]);
    private readonly ApiClient _stranger = new($"other-{Guid.NewGuid():N}"[..20]);
    private readonly string _folder = TestStack.NewScratchFolder("reuse");

    [Fact]
    public async Task SameBytesSameTenant_ReusesTheCompletedJobsOutputs_AnotherTenantDoesNot()
    {
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 2);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(clip)));

        var first = await _owner.WaitForEndAsync((await _owner.UploadAsync(clip))["id"]!.GetValue<string>());
        var second = await _owner.WaitForEndAsync((await _owner.UploadAsync(clip))["id"]!.GetValue<string>());
        var foreign = await _stranger.WaitForEndAsync((await _stranger.UploadAsync(clip))["id"]!.GetValue<string>());

        Assert.All(new[] { first, second, foreign }, j =>
        {
            Assert.Equal("completed", j["status"]!.GetValue<string>());
            Assert.Equal(sha256, j["contentSha256"]!.GetValue<string>());
        });
        Assert.Null(first["reusedFrom"]);
        Assert.Equal(first["id"]!.GetValue<string>(), second["reusedFrom"]!.GetValue<string>());
        Assert.Equal(first["hlsUrl"]!.GetValue<string>(), second["hlsUrl"]!.GetValue<string>());
        Assert.Equal(0, second["cost"]!["cpuSeconds"]!.GetValue<double>());
        Assert.True(first["cost"]!["cpuSeconds"]!.GetValue<double>() > 0);
        Assert.Null(foreign["reusedFrom"]);
        Assert.NotEqual(first["hlsUrl"]!.GetValue<string>(), foreign["hlsUrl"]!.GetValue<string>());
    }

    [Fact]
    public async Task Outputs_ArePartOfTheFingerprint_TheSameOutputsReuse_OthersDoNot()
    {
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 2);
        const string capped = """{"outputs": {"maxHeight": 180, "downloads": ["m4a"]}}""";

        var first = await _owner.WaitForEndAsync((await _owner.UploadAsync(clip, options: capped))["id"]!.GetValue<string>());
        var same = await _owner.WaitForEndAsync((await _owner.UploadAsync(clip, options: capped))["id"]!.GetValue<string>());
        var other = await _owner.WaitForEndAsync((await _owner.UploadAsync(clip, options: """{"outputs": {"maxHeight": 144}}"""))["id"]!.GetValue<string>());

        Assert.All(new[] { first, same, other }, j => Assert.Equal("completed", j["status"]!.GetValue<string>()));
        Assert.Null(first["reusedFrom"]);
        Assert.Equal(first["id"]!.GetValue<string>(), same["reusedFrom"]!.GetValue<string>());
        Assert.Equal(first["downloads"]![0]!["url"]!.GetValue<string>(), same["downloads"]![0]!["url"]!.GetValue<string>());
        Assert.Null(other["reusedFrom"]);
        Assert.Equal([144], other["renditions"]!.AsArray().Where(r => r!["kind"]!.GetValue<string>() == "video").Select(r => r!["height"]!.GetValue<int>()));
    }

    /// <summary>The test stack gives tenant "test-outputs" HEVC beside H.264 and an M4A download when its jobs ask for nothing else.</summary>
    [Fact]
    public async Task TenantDefaultOutputs_ApplyToJobsThatAskForNone()
    {
        using var tenant = new ApiClient("test-outputs");
        var clip = await TestClips.VideoAsync(_folder, 320, 180, 2);

        var submitted = await tenant.UploadAsync(clip);
        Assert.Equal(["h264", "hevc"], submitted["outputs"]!["codecs"]!.AsArray().Select(c => c!.GetValue<string>()));
        var job = await tenant.WaitForEndAsync(submitted["id"]!.GetValue<string>());

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal(["h264", "hevc"], job["codecs"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("m4a", Assert.Single(job["downloads"]!.AsArray())!["format"]!.GetValue<string>());
    }

    public void Dispose()
    {
        _owner.Dispose();
        _stranger.Dispose();
        Directory.Delete(_folder, true);
    }
}
