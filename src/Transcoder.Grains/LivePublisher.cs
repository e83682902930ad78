using Transcoder.Media;
using Transcoder.Storage;

namespace Transcoder.Grains;

/// <summary>
/// Publishes a run's outputs while ffmpeg still writes them, so viewers can press play seconds after
/// submission. Each poll uploads the segments ffmpeg has closed (it renames a segment into place only when it
/// is complete, and rewrites its playlists atomically), then the EVENT media playlists that list them, then
/// ffmpeg's dynamic DASH manifest; once every rendition has a segment, the master playlist. When the encode
/// ends, <see cref="FinishAsync"/> uploads the rest and the final (VOD) playlists and static manifest.
/// Files already uploaded are never sent twice.
/// </summary>
internal sealed class LivePublisher(IObjectStore store, string folder, string prefix, LadderPlan plan, int concurrency)
{
    private readonly HashSet<string> _uploaded = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _published = [];

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
                    // Live publishing is best effort: the next poll, or FinishAsync, uploads what this one missed.
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

    /// <summary>One round of live publishing.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var changed = false;
        foreach (var representation in LadderPackager.Representations(plan))
        {
            if (!TryReadPlaylist(representation, out var init, out var segments)
                || segments.Count <= _published.GetValueOrDefault(representation))
            {
                continue;
            }

            await UploadAsync([init, .. segments.Select(s => s.Uri)], cancellationToken);
            var playlist = LivePlaylists.Media(init, segments, LivePlaylists.TargetDuration(plan), complete: false);
            await store.PutTextAsync(prefix + LadderLayout.MediaPlaylist(representation), playlist, ContentTypes.ForFile(".m3u8"), cancellationToken);
            _published[representation] = segments.Count;
            changed = true;
        }

        if (!changed)
        {
            return;
        }

        await PutFileAsync(LadderLayout.DashManifest, cancellationToken);
        if (!Playable && LadderPackager.Representations(plan).All(r => _published.GetValueOrDefault(r) > 0)
            && LadderPackager.EarlyMaster(folder, plan) is { } master)
        {
            await store.PutTextAsync(prefix + LadderLayout.HlsMaster, master, ContentTypes.ForFile(LadderLayout.HlsMaster), cancellationToken);
            Playable = true;
        }
    }

    /// <summary>Uploads everything not yet uploaded, then the final playlists, the static manifest and the master.</summary>
    public async Task FinishAsync(Func<int, int, Task> onProgress, CancellationToken cancellationToken)
    {
        var manifests = new[] { LadderLayout.HlsMaster, LadderLayout.DashManifest };
        var playlists = LadderPackager.Representations(plan).Select(LadderLayout.MediaPlaylist).ToHashSet(StringComparer.Ordinal);
        var media = Directory.EnumerateFiles(folder)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !manifests.Contains(name) && !playlists.Contains(name) && !name.EndsWith(".tmp", StringComparison.Ordinal))
            .ToList();
        var pending = media.Where(name => !_uploaded.Contains(name)).ToList();
        var done = 0;
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (name, ct) =>
        {
            await PutFileAsync(name, ct);
            await onProgress(Interlocked.Increment(ref done), pending.Count);
        });

        // Playlists before manifests, the master last: nothing names a file that is not there yet.
        foreach (var name in playlists.Order(StringComparer.Ordinal).Concat([LadderLayout.DashManifest, LadderLayout.HlsMaster]))
        {
            await PutFileAsync(name, cancellationToken);
        }
    }

    private bool TryReadPlaylist(int representation, out string init, out IReadOnlyList<HlsSegment> segments)
    {
        init = "";
        segments = [];
        var path = Path.Combine(folder, LadderLayout.MediaPlaylist(representation));
        if (!File.Exists(path))
        {
            return false;
        }

        var text = File.ReadAllText(path);
        if (HlsPlaylist.ReadInitSegment(text) is not { } map)
        {
            return false;
        }

        init = map;
        segments = HlsPlaylist.ReadSegments(text);
        return segments.Count > 0;
    }

    private async Task UploadAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var pending = names.Where(n => !_uploaded.Contains(n)).ToList();
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (name, ct) => await PutFileAsync(name, ct));
    }

    private async Task PutFileAsync(string name, CancellationToken cancellationToken)
    {
        await store.PutFileAsync(prefix + name, Path.Combine(folder, name), ContentTypes.ForFile(name), cancellationToken);
        lock (_uploaded)
        {
            _uploaded.Add(name);
        }
    }
}
