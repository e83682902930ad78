using Transcoder.Media.Packaging;
using Transcoder.Storage;

namespace Transcoder.Worker;

/// <summary>
/// Publishes a package while ffmpeg still encodes it, so viewers can press play seconds after submission. Each poll
/// has the packager cut what the encoder finished, uploads the new segments, then the EVENT media playlists that list
/// them and the dynamic DASH manifest; once every rendition has a segment, the master playlist. When the encode ends,
/// <see cref="FinishAsync"/> uploads the rest, then the VOD playlists, the static manifest and the master last, each
/// object replaced whole, so a viewer fetching a playlist mid-way reads the old one or the new one, never a torn one.
/// Nothing is uploaded twice.
/// </summary>
internal sealed class LivePublisher(IObjectStore store, LadderPackage package, string prefix, int concurrency, TimeProvider time)
{
    private readonly HashSet<string> _uploaded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _published = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private int _revision = -1;

    /// <summary>Set once the master playlist is up and every rendition has its first segment.</summary>
    public bool Playable { get; private set; }

    /// <summary>Polls until canceled, calling <paramref name="onPlayable"/> once when playback can start.</summary>
    public async Task RunAsync(TimeSpan interval, Func<Task> onPlayable, Action<Exception> onError, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var wasPlayable = Playable;
                try
                {
                    await PollAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    // Live publishing is best effort: the next poll, or FinishAsync, publishes what this one missed.
                    onError(ex);
                    continue;
                }

                if (Playable && !wasPlayable)
                {
                    await onPlayable();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The encode ended (or the run was canceled); FinishAsync takes over.
        }
    }

    /// <summary>One round of live publishing: new segments first, then the documents that list them.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var written = package.Cut();
        if (written.Count == 0 && _published.Count > 0 && package.Revision == _revision)
        {
            return;
        }

        var revision = package.Revision;
        await UploadAsync(written, cancellationToken);
        var live = package.Live(_started, time.GetUtcNow());
        foreach (var (name, text) in live.MediaPlaylists.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            await PutDocumentAsync(name, text, cancellationToken);
        }

        if (live.DashManifest is { } manifest)
        {
            await PutDocumentAsync(PackageLayout.DashManifest, manifest, cancellationToken);
        }

        if (!Playable && live.HlsMaster is { } master)
        {
            await PutDocumentAsync(PackageLayout.HlsMaster, master, cancellationToken);
            Playable = true;
        }

        _revision = revision;
    }

    /// <summary>Uploads every media file not yet uploaded, then the final documents, the master last.</summary>
    public async Task FinishAsync(Func<int, int, Task> onProgress, CancellationToken cancellationToken)
    {
        await UploadAsync(package.MediaFiles(), cancellationToken, onProgress);

        // Playlists before manifests, the master last: nothing names a file that is not there yet.
        foreach (var name in package.Documents())
        {
            await PutFileAsync(name, cancellationToken);
        }
    }

    /// <summary>Bytes of every file published.</summary>
    public long UploadedBytes() =>
        _uploaded.Sum(name => new FileInfo(Path.Combine(package.Folder, name)) is { Exists: true } file ? file.Length : 0);

    /// <summary>Uploads those of <paramref name="names"/> not uploaded yet, several at a time, counting them off to <paramref name="onProgress"/>.</summary>
    private async Task UploadAsync(IEnumerable<string> names, CancellationToken cancellationToken, Func<int, int, Task>? onProgress = null)
    {
        var pending = names.Where(n => !_uploaded.Contains(n)).ToList();
        var done = 0;
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (name, ct) =>
        {
            await PutFileAsync(name, ct);
            if (onProgress is not null)
            {
                await onProgress(Interlocked.Increment(ref done), pending.Count);
            }
        });
    }

    private async Task PutDocumentAsync(string name, string text, CancellationToken cancellationToken)
    {
        if (_published.TryGetValue(name, out var last) && last == text)
        {
            return;
        }

        await store.PutTextAsync(prefix + name, text, ContentTypes.ForFile(name), cancellationToken);
        _published[name] = text;
    }

    private async Task PutFileAsync(string name, CancellationToken cancellationToken)
    {
        await store.PutFileAsync(prefix + name, Path.Combine(package.Folder, name), ContentTypes.ForFile(name), cancellationToken);
        lock (_uploaded)
        {
            _uploaded.Add(name);
        }
    }
}
