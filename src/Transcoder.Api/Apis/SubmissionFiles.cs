using Transcoder.Abstractions;
using Transcoder.Captions;
using Transcoder.Storage;

namespace Transcoder.Api.Apis;

/// <summary>The files a form submission stores before its job exists: the upload, and its caption files beside it.</summary>
internal static class SubmissionFiles
{
    /// <summary>
    /// Stores the caption parts (already read and checked) as WebVTT beside the upload, and points the options at them.
    /// They go with the upload: a refused or redundant submission deletes them with its file; if storing one fails,
    /// the upload and the captions already stored are deleted before the failure goes on.
    /// </summary>
    public static async Task<TrackOptions?> StoreCaptionPartsAsync(TrackOptions? tracks, string sourceKey, IReadOnlyList<IReadOnlyList<Cue>> cues,
        IObjectStore store, CancellationToken cancellationToken)
    {
        if (tracks is null || cues.Count == 0)
        {
            return tracks;
        }

        var captions = tracks.Captions.ToBuilder();
        var stored = new List<string>();
        try
        {
            for (var i = 0; i < captions.Count; i++)
            {
                if (captions[i].Kind == JobInputKind.Upload)
                {
                    var key = ObjectKeys.Caption(sourceKey, stored.Count);
                    await store.PutTextAsync(key, WebVtt.Document(cues[stored.Count]), WebVtt.ContentType, cancellationToken);
                    stored.Add(key);
                    captions[i] = captions[i] with { Location = key };
                }
            }
        }
        catch
        {
            // The upload goes too: the caller answers with the failure, and no job will own it.
            await DeleteQuietlyAsync(store, [sourceKey, .. stored]);
            throw;
        }

        return tracks with { Captions = captions.ToImmutable() };
    }

    /// <summary>Deletes what it can of <paramref name="keys"/>; what the store refuses now is left to the bucket's rules.</summary>
    private static async Task DeleteQuietlyAsync(IObjectStore store, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            try
            {
                await store.DeleteAsync(key, CancellationToken.None);
            }
            catch (Exception ex) when (ObjectStoreFailures.IsStoreOrNetwork(ex))
            {
                // Already failing: the original error is the one to report.
            }
        }
    }

    /// <summary>Deletes what a submission stored: its file and its caption files.</summary>
    public static async Task DeleteAsync(IObjectStore store, string key, TrackOptions? tracks)
    {
        await store.DeleteAsync(key, CancellationToken.None);
        foreach (var caption in tracks?.Captions ?? [])
        {
            if (caption.Kind == JobInputKind.Upload)
            {
                await store.DeleteAsync(caption.Location, CancellationToken.None);
            }
        }
    }
}
