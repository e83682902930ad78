using System.Diagnostics;
using System.Globalization;

using Transcoder.Testing;

namespace Transcoder.Cluster.Tests;

/// <summary>
/// One silo of the solution's own build, run as a process of its own on loopback, as the local scripts run it.
/// Only this process is ever stopped, by its id.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly string _logPath;

    private SiloProcess(string name, int httpPort, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        HttpPort = httpPort;
        _process = process;
        _log = log;
        _logPath = logPath;
    }

    public string Name { get; }

    public int HttpPort { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What the silo has written to its console so far (JSON lines).</summary>
    public string[] LogLines()
    {
        using var reader = new StreamReader(new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Starts a silo named <paramref name="name"/> on free loopback ports, with the given settings (environment variables).</summary>
    public static SiloProcess Start(string name, IReadOnlyDictionary<string, string> settings, string logFolder)
    {
        var dll = SiloAssembly();
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var httpPort = FreePorts.Next();
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        start.Environment["Silo__Name"] = name;
        start.Environment["Silo__SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        start.Environment["Silo__GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        start.Environment["Silo__AdvertisedAddress"] = "127.0.0.1";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";

        Directory.CreateDirectory(logFolder);
        var logPath = Path.Combine(logFolder, $"{name}.log");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SiloProcess(name, httpPort, process, log, logPath);
    }

    /// <summary>Waits until the silo answers its readiness probe (which also checks that its dependencies answer).</summary>
    public async Task WaitReadyAsync(TimeSpan within)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (_process.HasExited)
                {
                    await _process.WaitForExitAsync(); // the last lines of output are in the log
                    Assert.Fail($"silo {Name} exited with {_process.ExitCode}; its last output:\n{LogTail()}");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/health/ready"));
                    return response.IsSuccessStatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false; // not listening, or not answering, yet
                }
            }, within, $"silo {Name} was not ready", TimeSpan.FromMilliseconds(250));
        }
        catch (TimeoutException ex)
        {
            Assert.Fail($"{ex.Message}; its last output:\n{LogTail()}");
        }
    }

    /// <summary>A graceful stop, as Kubernetes asks for one: SIGTERM, then wait for the process to exit.</summary>
    public async Task TerminateAsync(TimeSpan within)
    {
        await TestClips.RunAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>kill -9: the process gets no chance to finish anything.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        await _log.DisposeAsync();
    }

    private string LogTail()
    {
        lock (_log)
        {
            using var reader = new StreamReader(new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var lines = reader.ReadToEnd().Split('\n');
            return string.Join('\n', lines.TakeLast(40));
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>
    /// A loopback port nothing listens on or is connected from right now. Fixed ports would sit in the ephemeral
    /// range, where an open outgoing connection (to Postgres, say) may hold one and make the bind fail.
    /// </summary>

    /// <summary>The silo built alongside these tests (same configuration), found from the repository root.</summary>
    private static string SiloAssembly()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(TestStack.RepositoryRoot, "src", "Transcoder.Silo", "bin", configuration, "net10.0", "Transcoder.Silo.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first (infra/local/test.sh does)");
        return dll;
    }
}
