using System.Security.Cryptography;

namespace Transcoder.Storage.Tests;

[Collection(StorageCollection.Name)]
public class ObjectStoreTests(StorageFixture fixture)
{
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
