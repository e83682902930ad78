using System.Net;

namespace Transcoder.Testing;

/// <summary>An HTTP origin on loopback whose answers the test decides: failing, slow, or serving a file.</summary>
public sealed class TestOrigin : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _port;

    private TestOrigin(int port) => _port = port;

    /// <summary>Listens on a free loopback port (one the system hands out, so no other connection holds it).</summary>
    public static TestOrigin Start(Func<HttpListenerContext, Task> answer) => Start(FreePorts.Next(), answer);

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> and answers every request with <paramref name="answer"/>.</summary>
    public static TestOrigin Start(int port, Func<HttpListenerContext, Task> answer)
    {
        var origin = new TestOrigin(port);
        origin._listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        origin._listener.Start();
        _ = Task.Run(() => origin.ServeAsync(answer));
        return origin;
    }

    public string Url(string path) => $"http://127.0.0.1:{_port}/{path}";

    public void Dispose() => _listener.Close();

    private async Task ServeAsync(Func<HttpListenerContext, Task> answer)
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            try
            {
                await answer(context);
            }
            catch (HttpListenerException)
            {
                // The client went away.
            }
            finally
            {
                context.Response.Close();
            }
        }
    }
}
