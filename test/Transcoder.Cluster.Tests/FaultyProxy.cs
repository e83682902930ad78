using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Transcoder.Cluster.Tests;

/// <summary>
/// A TCP proxy on loopback in front of a loopback endpoint that misbehaves on demand: a share of the
/// connections it accepts get "503 Slow Down" (S3's throttling answer) to their first request and are closed,
/// and while it is down every connection is cut and new ones are reset. Bytes it forwards are not touched, so
/// signed S3 requests stay valid.
/// </summary>
public sealed class FaultyProxy : IAsyncDisposable
{
    private const string SlowDownBody = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";

    private static readonly byte[] SlowDown = Encoding.ASCII.GetBytes(
        $"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {SlowDownBody.Length}\r\nConnection: close\r\n\r\n{SlowDownBody}");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _accepting;
    private readonly Lock _shareLock = new();
    private double _failureShare;
    private double _failureDue;
    private int _refused;
    private int _forwarded;

    public FaultyProxy(Uri target, double failureShare)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        FailureShare = failureShare;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>
    /// The share (0-1) of new connections answered with 503: evenly spread and the first one included (with 0.25 the
    /// 1st, 5th, 9th, ...), so a test that makes few connections still meets a fault, every run.
    /// </summary>
    public double FailureShare
    {
        get => _failureShare;
        set
        {
            lock (_shareLock)
            {
                _failureShare = value;
                _failureDue = value > 0 ? 1 : 0;
            }
        }
    }

    public bool IsDown { get; private set; }

    /// <summary>Connections answered with 503 or reset.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Connections passed through.</summary>
    public int Forwarded => Volatile.Read(ref _forwarded);

    /// <summary>Goes down (cuts every connection, resets new ones) or comes back.</summary>
    public void SetDown(bool down)
    {
        IsDown = down;
        if (down)
        {
            foreach (var socket in _open.Keys)
            {
                Reset(socket);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var socket in _open.Keys)
        {
            Reset(socket);
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    /// <summary>Whether the next new connection is one of the failing share.</summary>
    private bool NextFails()
    {
        lock (_shareLock)
        {
            if (_failureShare > 0 && _failureDue >= 1)
            {
                _failureDue -= 1;
                return true;
            }

            _failureDue += _failureShare;
            return false;
        }
    }

    private async Task HandleAsync(Socket client)
    {
        if (IsDown)
        {
            Interlocked.Increment(ref _refused);
            Reset(client);
            return;
        }

        if (NextFails())
        {
            Interlocked.Increment(ref _refused);
            await AnswerSlowDownAsync(client);
            return;
        }

        Interlocked.Increment(ref _forwarded);
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _open[client] = 0;
        _open[upstream] = 0;
        try
        {
            await upstream.ConnectAsync(_target);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            await Task.WhenAny(PumpAsync(client, upstream, both.Token), PumpAsync(upstream, client, both.Token));
            await both.CancelAsync();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Cut: the client sees its connection fail, as with a real outage.
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(upstream, out _);
            client.Dispose();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side went away.
        }
    }

    /// <summary>Reads the request head (not the body), answers 503 and closes.</summary>
    private static async Task AnswerSlowDownAsync(Socket client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var head = new List<byte>();
            var buffer = new byte[4096];
            while (head.Count < 65536 && !EndsHead(head))
            {
                var read = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                head.AddRange(buffer.AsSpan(0, read));
            }

            await client.SendAsync(SlowDown, SocketFlags.None, timeout.Token);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client gave up first.
        }
        finally
        {
            client.Dispose();
        }
    }

    private static bool EndsHead(List<byte> head)
    {
        for (var i = 3; i < head.Count; i++)
        {
            if (head[i - 3] == '\r' && head[i - 2] == '\n' && head[i - 1] == '\r' && head[i] == '\n')
            {
                return true;
            }
        }

        return false;
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
    }
}
