namespace Transcoder.Testing;

/// <summary>An ffmpeg a run started: its process, the process that started it (the silo), and whether it encodes a chunk.</summary>
public sealed record RunningFfmpeg(int Pid, int ParentPid, bool EncodesChunk);

/// <summary>Finds the processes a run started, by what their command line names, to kill them in fault tests.</summary>
public static class TestProcesses
{
    /// <summary>Every ffmpeg encoding for this job now, on any silo.</summary>
    public static IReadOnlyList<RunningFfmpeg> FfmpegsOf(Guid jobId)
    {
        var found = new List<RunningFfmpeg>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            try
            {
                var command = File.ReadAllText(Path.Combine(folder, "cmdline"));
                var isFfmpeg = command.StartsWith("ffmpeg\0", StringComparison.Ordinal) || command.Contains("/ffmpeg\0", StringComparison.Ordinal);
                if (isFfmpeg && command.Contains($"{jobId:N}-", StringComparison.Ordinal) && command.Contains("/encode/", StringComparison.Ordinal))
                {
                    // /proc/PID/stat: "pid (comm) state ppid ...", where comm may hold spaces but not ')'.
                    var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                    var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                    found.Add(new RunningFfmpeg(pid, parent, command.Contains("\0-ss\0", StringComparison.Ordinal)));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
        }

        return found;
    }

    /// <summary>The ffmpeg encoding this job's ladder (its run's scratch folder is in the command line), if one runs.</summary>
    public static int? FfmpegOf(Guid jobId) => FfmpegsOf(jobId).FirstOrDefault()?.Pid;
}
