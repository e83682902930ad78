using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Transcoder.Testing;

/// <summary>
/// Loopback ports for servers a test starts. They come from below the kernel's ephemeral range, where it never picks
/// the source port of an outgoing connection, and each is handed out once per test process: a port chosen now is still
/// free when the server starts seconds later, and two servers of one test never get the same one.
/// </summary>
public static class FreePorts
{
    private const int Lowest = 20_000;
    private static readonly int Ceiling = Math.Max(Lowest + 1_000, EphemeralLow());
    private static int _next = Lowest + (Environment.ProcessId * 397 % (Ceiling - Lowest));

    public static int Next()
    {
        for (var tried = 0; tried < Ceiling - Lowest; tried++)
        {
            var port = Lowest + ((Interlocked.Increment(ref _next) - Lowest) % (Ceiling - Lowest));
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port between {Lowest} and {Ceiling}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range).</summary>
    private static int EphemeralLow()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var low)
            ? low
            : 32_768;
    }
}
