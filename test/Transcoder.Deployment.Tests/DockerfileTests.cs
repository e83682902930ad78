using System.Diagnostics;
using System.Text.Json;
using Transcoder.Testing;

namespace Transcoder.Deployment.Tests;

/// <summary>
/// The images' Dockerfiles, checked without a Docker engine: the build stage is replayed on this machine (its
/// COPY sources copied into an empty folder, then its RUN commands run there), and the runtime
/// stage is read for what a production image needs.
/// </summary>
public sealed class DockerfileTests : IDisposable
{
    private readonly string _context = Path.Combine(Path.GetTempPath(), $"docker-context-{Guid.NewGuid():N}");

    [Theory]
    [InlineData("Dockerfile.silo", "Transcoder.Silo.dll")]
    [InlineData("Dockerfile.api", "Transcoder.Api.dll", "app/index.html", "app/app.js", "app/lib/hls.min.js", "app/lib/dash.mediaplayer.min.js", "app/lib/signalr.min.js")]
    public async Task BuildStage_PublishesTheEntryPointFromWhatItCopies(string name, string entryPoint, params string[] extraFiles)
    {
        var dockerfile = Dockerfile.Read(Path.Combine(TestStack.RepositoryRoot, name));
        var build = dockerfile.Named("build");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", build.From, StringComparison.Ordinal);

        foreach (var copy in build.All("COPY"))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts[0].StartsWith("--from=", StringComparison.Ordinal))
            {
                // From an earlier stage (the web app's npm packages): its own COPY sources must exist; here the
                // build runs npm itself, from the same lock file, as it does when that folder is missing.
                foreach (var source in dockerfile.Named(parts[0]["--from=".Length..]).All("COPY").SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]))
                {
                    Assert.True(File.Exists(Path.Combine(TestStack.RepositoryRoot, source)), $"{name} copies {source}, which does not exist");
                }

                continue;
            }

            var destination = Path.Combine(_context, parts[^1]);
            foreach (var source in parts[..^1])
            {
                var from = Path.Combine(TestStack.RepositoryRoot, source);
                Assert.True(File.Exists(from) || Directory.Exists(from), $"{name} copies {source}, which does not exist");
                Copy(from, source.EndsWith('/') ? destination : Path.Combine(destination, Path.GetFileName(source)));
            }
        }

        // Every RUN of the stage, in order, publishing into the folder instead of /app.
        var output = Path.Combine(_context, "app");
        Assert.Contains(build.All("RUN"), r => r.StartsWith("dotnet publish", StringComparison.Ordinal) && r.Contains("-o /app", StringComparison.Ordinal));
        foreach (var run in build.All("RUN"))
        {
            var command = run.Replace("-o /app", $"-o {output}", StringComparison.Ordinal);
            var (exitCode, log) = await RunAsync("bash", ["-c", command]);
            Assert.True(exitCode == 0, $"{command} failed:\n{log}");
        }

        Assert.Equal(["dotnet", entryPoint], JsonSerializer.Deserialize<string[]>(Assert.Single(dockerfile.Stages[^1].All("ENTRYPOINT")))!);
        Assert.True(File.Exists(Path.Combine(output, entryPoint)), $"{entryPoint} is not in the published output");
        if (name == "Dockerfile.api")
        {
            // A new API replica meets its first burst with precompiled code.
            using var assembly = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(Path.Combine(output, entryPoint)));
            Assert.True(assembly.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{entryPoint} is not ReadyToRun");
        }

        foreach (var file in extraFiles)
        {
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} is not in the published output");
        }
    }

    [Theory]
    [InlineData("Dockerfile.silo", true)]
    [InlineData("Dockerfile.api", false)]
    public void RuntimeStage_IsSlimNonRootChecked_WithFfmpegOnlyInTheSilo(string name, bool ffmpeg)
    {
        var runtime = Dockerfile.Read(Path.Combine(TestStack.RepositoryRoot, name)).Stages[^1];
        var installs = string.Join(' ', runtime.All("RUN"));

        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", runtime.From, StringComparison.Ordinal);
        Assert.Equal("app", Assert.Single(runtime.All("USER")));
        Assert.Contains("/health/live", Assert.Single(runtime.All("HEALTHCHECK")), StringComparison.Ordinal);
        Assert.Equal(ffmpeg, installs.Contains("ffmpeg", StringComparison.Ordinal));
        Assert.Contains("--from=build", Assert.Single(runtime.All("COPY")), StringComparison.Ordinal);
        Assert.DoesNotContain(runtime.All("ENV").Concat(runtime.All("ARG")), e =>
            e.Contains("Password", StringComparison.OrdinalIgnoreCase) || e.Contains("SecretKey", StringComparison.OrdinalIgnoreCase)
            || e.Contains("SigningKeys", StringComparison.OrdinalIgnoreCase) || e.Contains("AccessKey", StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose()
    {
        if (Directory.Exists(_context))
        {
            Directory.Delete(_context, true);
        }
    }

    /// <summary>Copies a file, or a folder with all it holds (build outputs of this checkout too, as Docker would).</summary>
    private static void Copy(string from, string to)
    {
        if (File.Exists(from))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to, overwrite: true);
            return;
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative), overwrite: true);
        }
    }

    private async Task<(int ExitCode, string Log)> RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = _context, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
