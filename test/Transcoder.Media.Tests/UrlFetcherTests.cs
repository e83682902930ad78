using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Transcoder.Media.Ingest;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

public class UrlFetcherTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fd00:ec2::254")]
    [InlineData("fc00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("2002:7f00:1::")]
    public void IsPublic_PrivateAndSpecialAddresses_AreRefused(string address) =>
        Assert.False(AddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void IsPublic_PublicAddresses_AreAllowed(string address) =>
        Assert.True(AddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1:{port}/video.mp4")]
    [InlineData("http://2130706433:{port}/video.mp4")]
    [InlineData("http://0x7f000001:{port}/video.mp4")]
    [InlineData("http://0177.0.0.1:{port}/video.mp4")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/video.mp4")]
    [InlineData("http://localhost:{port}/video.mp4")]
    public async Task Fetch_LoopbackInAnySpelling_IsRefusedWithoutConnecting(string template)
    {
        // A listener on loopback stands in for an internal service: the fetch must be refused before any
        // connection reaches it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var fetcher = new UrlFetcher(Options.Create(new FetchOptions()));
        var path = Path.Combine(Path.GetTempPath(), $"fetch-{Guid.NewGuid():N}");

        var ex = await Assert.ThrowsAsync<InputFetchException>(() =>
            fetcher.FetchAsync(template.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), path, CancellationToken.None));

        Assert.Equal(FetchErrorKind.Refused, ex.Kind);
        Assert.False(ex.Retryable);
        Assert.False(listener.Pending());
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Fetch_AllowListedLoopbackHost_Downloads()
    {
        using var listener = new HttpListener();
        var port = FreePorts.Next();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serving = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            context.Response.ContentLength64 = 5;
            await context.Response.OutputStream.WriteAsync("hello"u8.ToArray());
            context.Response.Close();
        });
        using var fetcher = new UrlFetcher(Options.Create(new FetchOptions { AllowedHosts = [$"127.0.0.1:{port}"] }));
        var path = Path.Combine(Path.GetTempPath(), $"fetch-{Guid.NewGuid():N}");

        var bytes = await fetcher.FetchAsync($"http://127.0.0.1:{port}/video.mp4", path, CancellationToken.None);
        await serving;

        Assert.Equal(5, bytes);
        Assert.Equal("hello", await File.ReadAllTextAsync(path));
        File.Delete(path);
    }

    [Theory]
    [InlineData("http://10.0.0.1/internal.mp4")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/")]
    public async Task Fetch_RedirectFromATrustedHostToAPrivateOne_IsRefusedWithoutConnecting(string target)
    {
        // The trusted origin answers with a redirect; the hop's address is checked before any connection, so
        // nothing is ever sent to the private target.
        using var origin = new HttpListener();
        var port = FreePorts.Next();
        origin.Prefixes.Add($"http://127.0.0.1:{port}/");
        origin.Start();
        var serving = Task.Run(async () =>
        {
            var context = await origin.GetContextAsync();
            context.Response.StatusCode = 302;
            context.Response.RedirectLocation = target;
            context.Response.Close();
        });
        using var fetcher = new UrlFetcher(Options.Create(new FetchOptions { AllowedHosts = [$"127.0.0.1:{port}"] }));

        var ex = await Assert.ThrowsAsync<InputFetchException>(() =>
            fetcher.FetchAsync($"http://127.0.0.1:{port}/video.mp4", Path.Combine(Path.GetTempPath(), $"fetch-{Guid.NewGuid():N}"), CancellationToken.None));
        await serving;

        Assert.Equal(FetchErrorKind.Refused, ex.Kind);
    }

    [Theory]
    [InlineData("ftp://example.com/a.mp4")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://user:pass@example.com/a.mp4")]
    [InlineData("not a url")]
    public void IsFetchableUrl_OtherSchemesAndCredentials_AreRefused(string url) =>
        Assert.False(UrlFetcher.IsFetchableUrl(url, out _));

}
