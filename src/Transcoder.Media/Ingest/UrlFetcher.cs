using Microsoft.Extensions.Options;

namespace Transcoder.Media.Ingest;

/// <summary>
/// Downloads a URL input to a local file, safely: http(s) only; every hop's host resolved once by the
/// service and connected to only if all its addresses are public (no second lookup for the connection, so
/// DNS rebinding cannot swap in a private address); redirects followed by hand and re-checked; size and time capped.
/// </summary>
public sealed class UrlFetcher : IDisposable
{
    private readonly FetchOptions _options;
    private readonly HttpClient _client;

    public UrlFetcher(IOptions<FetchOptions> options)
    {
        _options = options.Value;
        _client = new HttpClient(PublicAddressConnector.CreateHandler(_options.AllowedHosts, _options.ConnectTimeout)) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("Transcoder.Orleans/1.0");
    }

    /// <summary>True when the URL is absolute http or https with a host; the first, cheap check.</summary>
    public static bool IsFetchableUrl(string? text, out Uri? uri) =>
        Uri.TryCreate(text, UriKind.Absolute, out uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host)
        && string.IsNullOrEmpty(uri.UserInfo);

    /// <summary>Downloads a small file (a caption file) into memory, with the charset its Content-Type declares.</summary>
    /// <exception cref="InputFetchException">The URL is refused, larger than <paramref name="maxBytes"/>, or the download failed.</exception>
    public async Task<(byte[] Bytes, string? Charset)> FetchSmallAsync(string url, int maxBytes, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var response = await SendFollowingRedirectsAsync(url, timeout.Token);
            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw new InputFetchException(FetchErrorKind.TooLarge, $"{url} is {response.Content.Headers.ContentLength} bytes; at most {maxBytes} are accepted.", retryable: false);
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var memory = new MemoryStream();
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await body.ReadAsync(buffer, timeout.Token)) > 0)
            {
                if (memory.Length + read > maxBytes)
                {
                    throw new InputFetchException(FetchErrorKind.TooLarge, $"{url} exceeds {maxBytes} bytes.", retryable: false);
                }

                memory.Write(buffer, 0, read);
            }

            return (memory.ToArray(), response.Content.Headers.ContentType?.CharSet);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InputFetchException(FetchErrorKind.Failed, $"Fetching {url} took longer than {_options.Timeout}.", retryable: true);
        }
        catch (HttpRequestException ex) when (ex.InnerException is InputFetchException refused)
        {
            throw refused;
        }
        catch (HttpRequestException ex)
        {
            throw new InputFetchException(FetchErrorKind.Failed, $"Fetching {url} failed: {ex.Message}", retryable: true, ex);
        }
    }

    /// <summary>Downloads <paramref name="url"/> to <paramref name="path"/>; returns the byte count.</summary>
    /// <exception cref="InputFetchException">The URL is refused, too large, or the download failed.</exception>
    public async Task<long> FetchAsync(string url, string path, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var response = await SendFollowingRedirectsAsync(url, timeout.Token);
            if (response.Content.Headers.ContentLength is { } declared && declared > _options.MaxBytes)
            {
                throw new InputFetchException(FetchErrorKind.TooLarge, $"The input is {declared} bytes; the limit is {_options.MaxBytes}.", retryable: false);
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, timeout.Token)) > 0)
            {
                total += read;
                if (total > _options.MaxBytes)
                {
                    throw new InputFetchException(FetchErrorKind.TooLarge, $"The input exceeds the limit of {_options.MaxBytes} bytes.", retryable: false);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), timeout.Token);
            }

            return total;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InputFetchException(FetchErrorKind.Failed, $"The download did not finish within {_options.Timeout}.", retryable: true);
        }
        catch (HttpRequestException ex) when (ex.InnerException is InputFetchException refused)
        {
            throw refused;
        }
        catch (HttpRequestException ex)
        {
            throw new InputFetchException(FetchErrorKind.Failed, $"The download failed: {ex.Message}", retryable: true, ex);
        }
        catch (IOException ex)
        {
            throw new InputFetchException(FetchErrorKind.Failed, $"The download broke off: {ex.Message}", retryable: true, ex);
        }
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(string url, CancellationToken cancellationToken)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            if (!IsFetchableUrl(current, out var uri))
            {
                throw new InputFetchException(FetchErrorKind.Refused, "Only http and https URLs without credentials are fetched.", retryable: false);
            }

            var response = await _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (hop >= _options.MaxRedirects)
                {
                    throw new InputFetchException(FetchErrorKind.Failed, "Too many redirects.", retryable: false);
                }

                current = new Uri(uri!, location).ToString();
                continue;
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            response.Dispose();
            var retryable = status >= 500 || status is 408 or 429;
            throw new InputFetchException(FetchErrorKind.Failed, $"The server answered {status} {response.ReasonPhrase}.", retryable);
        }
    }

    public void Dispose() => _client.Dispose();
}
