using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Media;

namespace Transcoder.Worker;

/// <summary>
/// The local folders runs work in, one per run under <see cref="MediaOptions.ScratchRoot"/>, never shared: two runs
/// of one job, or two jobs with the same file name, cannot see each other's files. A run's folder goes when the run
/// ends; folders a crashed silo left behind go when the silo starts again.
/// </summary>
public sealed partial class ScratchFolders(IOptions<MediaOptions> media, ILogger<ScratchFolders> logger)
{
    private string Root => media.Value.ScratchRoot;

    /// <summary>The folder of one run, made now and removed when disposed.</summary>
    public Scratch For(WorkAssignment assignment)
    {
        var path = System.IO.Path.Combine(Root, $"{assignment.JobId:N}-{assignment.Run.RunId:N}");
        Directory.CreateDirectory(path);
        return new Scratch(path, this);
    }

    /// <summary>Removes what runs of an earlier process left (this silo's runs all start after it).</summary>
    public void RemoveLeftovers()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            Delete(folder);
        }
    }

    internal void Delete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CleanupFailed(logger, path, ex);
        }
    }

    [LoggerMessage(3107, LogLevel.Warning, "Could not remove the scratch folder {Path}")]
    private static partial void CleanupFailed(ILogger logger, string path, Exception exception);
}

/// <summary>One run's scratch folder; <see cref="Delete"/> (or disposing) removes it.</summary>
public sealed class Scratch(string path, ScratchFolders owner) : IDisposable
{
    public string Path { get; } = path;

    public void Delete() => owner.Delete(Path);

    public void Dispose() => Delete();
}
