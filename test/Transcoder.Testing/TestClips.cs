using System.Diagnostics;
using System.Globalization;

namespace Transcoder.Testing;

/// <summary>Generates small test clips with the machine's ffmpeg (lavfi test sources, never downloads).</summary>
public static class TestClips
{
    /// <summary>A clip of the given size, rate and length, with a 440 Hz tone unless <paramref name="audio"/> is false.</summary>
    public static async Task<string> VideoAsync(string folder, int width, int height, double seconds, int rate = 30, bool audio = true, string container = "mp4")
    {
        var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"clip-{width}x{height}-{seconds}s-{rate}fps{(audio ? "" : "-mute")}.{container}"));
        if (File.Exists(path))
        {
            return path;
        }

        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=size={width}x{height}:rate={rate}") };
        if (audio)
        {
            args.AddRange(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]);
        }

        args.AddRange(["-t", seconds.ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p"]);
        if (audio)
        {
            args.AddRange(["-c:a", "aac", "-b:a", "128k"]);
        }

        args.Add(path + ".tmp." + container);
        await RunAsync("ffmpeg", args);
        File.Move(path + ".tmp." + container, path, overwrite: true);
        return path;
    }

    /// <summary>Runs a tool and throws with its stderr if it fails.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
