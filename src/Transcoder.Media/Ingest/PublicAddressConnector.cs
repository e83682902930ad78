using System.Net;
using System.Net.Sockets;

namespace Transcoder.Media.Ingest;

/// <summary>
/// The connect step of an HTTP client that may reach only public addresses: the host is resolved once here and
/// refused if any of its addresses is loopback, private, link-local, metadata, unique-local or unspecified
/// (<see cref="AddressPolicy"/>); the socket then connects to those same addresses, so DNS rebinding cannot swap
/// in another. Trusted hosts (host or host:port) skip the check. Used for URL inputs and webhooks.
/// </summary>
public sealed class PublicAddressConnector(IEnumerable<string> trustedHosts)
{
    private readonly HashSet<string> _trusted = new(trustedHosts, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// An HTTP handler whose every connection goes through this check: no proxy (a proxy would connect in its
    /// place, unchecked), no redirects (a redirect is the caller's to re-check or refuse), no cookies, no
    /// decompression.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(IEnumerable<string> trustedHosts, TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = new PublicAddressConnector(trustedHosts).ConnectAsync,
    };

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var trusted = _trusted.Contains(endpoint.Host) || _trusted.Contains($"{endpoint.Host}:{endpoint.Port}");
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new InputFetchException(FetchErrorKind.Failed, $"'{endpoint.Host}' does not resolve.", retryable: true);
        }

        // Refuse if any address is not public, not just the one we would pick: a host that resolves to a
        // private address at all is not one users may point the service at.
        if (!trusted && addresses.FirstOrDefault(a => !AddressPolicy.IsPublic(a)) is { } blocked)
        {
            throw new InputFetchException(FetchErrorKind.Refused,
                $"'{endpoint.Host}' resolves to {blocked}, which is not a public address.", retryable: false);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
