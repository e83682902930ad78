using System.Globalization;
using System.Runtime.InteropServices;

namespace Transcoder.Media;

/// <summary>
/// Caps the CPU time of an ffmpeg process this process started (Linux RLIMIT_CPU through prlimit): past the
/// soft limit the kernel sends SIGXCPU, past the hard limit SIGKILL. FFMpegCore does not expose the process,
/// so it is found among this process's children by a marker its command line carries (its own output path).
/// </summary>
internal static partial class CpuLimit
{
    private const int RlimitCpu = 0;

    /// <summary>
    /// Whether a run ended because of the limit: ffmpeg treats SIGXCPU as a request to stop ("received signal
    /// 24"), and after the kernel has repeated it a few times exits hard with 123. The kernel's SIGKILL at the
    /// hard limit always comes after those, so a SIGKILL alone (someone killed ffmpeg, or it ran out of memory)
    /// is not the limit.
    /// </summary>
    public static bool IsLimitExit(int exitCode, string stderrTail) =>
        exitCode is 123 or 128 + 24 || stderrTail.Contains("received signal 24", StringComparison.OrdinalIgnoreCase);

    /// <summary>Applies the limit to the child whose command line contains <paramref name="marker"/>; false if not found.</summary>
    public static bool TryApply(string marker, TimeSpan limit)
    {
        if (!OperatingSystem.IsLinux() || FindChild(marker) is not { } pid)
        {
            return false;
        }

        var soft = (ulong)Math.Max(1, Math.Ceiling(limit.TotalSeconds));
        var value = new Rlimit { Current = soft, Maximum = soft + 5 };
        return Prlimit(pid, RlimitCpu, ref value, IntPtr.Zero) == 0;
    }

    private static int? FindChild(string marker)
    {
        var self = Environment.ProcessId;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == self
                    && File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(marker, StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }

        return null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "prlimit", SetLastError = true)]
    private static partial int Prlimit(int pid, int resource, ref Rlimit newLimit, IntPtr oldLimit);
}
