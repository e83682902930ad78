using System.Diagnostics;
using System.Globalization;

namespace Transcoder.Testing;

/// <summary>
/// One silo or API replica of the solution's own build, run as a process of its own on loopback, as the local
/// scripts run it. It inherits the test run's environment (the stack's Postgres, Redis and bucket, its keys), with
/// the settings given on top. Only this process is ever stopped, by its id.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly string _logPath;

    private ServiceProcess(string name, int httpPort, Process process, StreamWriter log, string logPath)
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

    /// <summary>The process id (ffmpeg processes it starts have it as their parent).</summary>
    public int Pid => _process.Id;

    /// <summary>What the silo has written to its console so far (JSON lines).</summary>
    public string[] LogLines()
    {
        using var reader = new StreamReader(new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The base URL of its HTTP endpoint (health, metrics; the API's routes for a replica).</summary>
    public string Url => $"http://127.0.0.1:{HttpPort}";

    /// <summary>Starts a silo named <paramref name="name"/> on free loopback ports, with the given settings (environment variables).</summary>
    public static ServiceProcess StartSilo(string name, IReadOnlyDictionary<string, string> settings, string logFolder)
    {
        var siloSettings = new Dictionary<string, string>(settings)
        {
            ["Silo__Name"] = name,
            ["Silo__SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Silo__GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Silo__AdvertisedAddress"] = "127.0.0.1",
        };
        return Start("Transcoder.Silo", name, siloSettings, logFolder);
    }

    /// <summary>Starts an API replica named <paramref name="name"/> on a free loopback port, joined to the stack's cluster.</summary>
    public static ServiceProcess StartApi(string name, IReadOnlyDictionary<string, string> settings, string logFolder) =>
        Start("Transcoder.Api", name, settings, logFolder);

    private static ServiceProcess Start(string project, string name, IReadOnlyDictionary<string, string> settings, string logFolder)
    {
        var dll = Assembly(project);
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
        return new ServiceProcess(name, httpPort, process, log, logPath);
    }

    /// <summary>Waits until the process answers its readiness probe (which also checks that its dependencies answer).</summary>
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
                    throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}; its last output:\n{LogTail()}");
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
            }, within, $"{Name} was not ready", TimeSpan.FromMilliseconds(250));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; its last output:\n{LogTail()}", ex);
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

    /// <summary>The project's build alongside these tests (same configuration), found from the repository root.</summary>
    private static string Assembly(string project)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(TestStack.RepositoryRoot, "src", project, "bin", configuration, "net10.0", $"{project}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is missing: build the solution first (infra/local/test.sh does)", dll);
    }
}
