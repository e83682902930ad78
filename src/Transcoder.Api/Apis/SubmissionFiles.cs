using Transcoder.Abstractions;
using Transcoder.Captions;
using Transcoder.Storage;

namespace Transcoder.Api.Apis;

/// <summary>The files a form submission stores before its job exists: the upload, and its caption files beside it.</summary>
internal static class SubmissionFiles
{
    /// <summary>
    /// Stores the caption parts (already read and checked) as WebVTT beside the upload, and points the options at them.
    /// They go with the upload: a refused or redundant submission deletes them with its file.
    /// </summary>
    public static async Task<TrackOptions?> StoreCaptionPartsAsync(TrackOptions? tracks, string sourceKey, IReadOnlyList<IReadOnlyList<Cue>> cues,
        IObjectStore store, CancellationToken cancellationToken)
    {
        if (tracks is null || cues.Count == 0)
        {
            return tracks;
        }

        var captions = tracks.Captions.ToBuilder();
        var part = 0;
        for (var i = 0; i < captions.Count; i++)
        {
            if (captions[i].Kind == JobInputKind.Upload)
            {
                var key = ObjectKeys.Caption(sourceKey, part);
                await store.PutTextAsync(key, WebVtt.Document(cues[part]), WebVtt.ContentType, cancellationToken);
                captions[i] = captions[i] with { Location = key };
                part++;
            }
        }

        return tracks with { Captions = captions.ToImmutable() };
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
