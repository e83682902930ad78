using System.Runtime.InteropServices;

namespace Transcoder.Media;

/// <summary>
/// Caps the CPU time of an ffmpeg process this process started (Linux RLIMIT_CPU through prlimit): past the
/// soft limit the kernel sends SIGXCPU, past the hard limit SIGKILL. Applied to the process this service started,
/// by its id, right after it started.
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

    /// <summary>Applies the limit to process <paramref name="pid"/>; false where it cannot be applied.</summary>
    public static bool TryApply(int pid, TimeSpan limit)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var soft = (ulong)Math.Max(1, Math.Ceiling(limit.TotalSeconds));
        var value = new Rlimit { Current = soft, Maximum = soft + 5 };
        return Prlimit(pid, RlimitCpu, ref value, IntPtr.Zero) == 0;
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
