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

    public void Dispose()
    {
        _owner.Dispose();
        _stranger.Dispose();
        Directory.Delete(_folder, true);
    }
}
