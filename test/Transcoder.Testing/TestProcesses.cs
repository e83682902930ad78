namespace Transcoder.Testing;

/// <summary>Finds the processes a run started, by what their command line names, to kill them in fault tests.</summary>
public static class TestProcesses
{
    /// <summary>The ffmpeg encoding this job's ladder (its run's scratch folder is in the command line), if one runs.</summary>
    public static int? FfmpegOf(Guid jobId)
    {
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
                    return pid;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
        }

        return null;
    }
}
