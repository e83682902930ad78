using Transcoder.Abstractions;
using Transcoder.Captions;
using Transcoder.Media;
using Transcoder.Media.Ingest;
using Transcoder.Storage;

namespace Transcoder.Worker;

/// <summary>
/// The caption files a job was sent with: stored ones (the API checked and stored them as WebVTT) from the object
/// store, linked ones fetched through the same guard as URL inputs (public addresses only). Each is read and checked
/// again, and must fit the title: a cue that starts after the video ends fails the job, naming the file and line.
/// </summary>
public sealed class CaptionFiles(IObjectStore store, UrlFetcher fetcher)
{
    /// <summary>The cues of each of the plan's caption-file tracks, by representation id.</summary>
    /// <exception cref="MediaException">A file cannot be read or does not fit the title (<see cref="MediaErrorKind.CaptionInvalid"/>).</exception>
    /// <exception cref="InputFetchException">A linked file could not be fetched.</exception>
    public async Task<Dictionary<string, IReadOnlyList<Cue>>> ReadAsync(LadderPlan plan, TrackOptions tracks, string folder, CancellationToken cancellationToken)
    {
        var cues = new Dictionary<string, IReadOnlyList<Cue>>(StringComparer.Ordinal);
        foreach (var text in plan.TextTracks.Where(t => t.CaptionIndex is not null))
        {
            var caption = tracks.Captions[text.CaptionIndex!.Value];
            var name = caption.FileName ?? (caption.Kind == JobInputKind.Url ? caption.Location : $"captions[{text.CaptionIndex}]");
            var (bytes, charset) = await LoadAsync(caption, folder, text.Id, cancellationToken);
            var format = caption.Kind == JobInputKind.Upload ? CaptionFormat.WebVtt : FormatOf(caption, bytes);
            IReadOnlyList<Cue> read;
            try
            {
                read = CaptionFile.Read(bytes, name, format, charset);
            }
            catch (CaptionException ex)
            {
                throw new MediaException(MediaErrorKind.CaptionInvalid, ex.Message, ex);
            }

            if (plan.Duration > TimeSpan.Zero && read.FirstOrDefault(c => c.Start >= plan.Duration) is { } late)
            {
                throw new MediaException(MediaErrorKind.CaptionInvalid,
                    $"{name}, line {late.Line}: the cue starts at {WebVtt.Timestamp(late.Start)}, after the video ends ({WebVtt.Timestamp(plan.Duration)}).");
            }

            cues[text.Id] = read;
        }

        return cues;
    }

    private async Task<(byte[] Bytes, string? Charset)> LoadAsync(CaptionInput caption, string folder, string id, CancellationToken cancellationToken)
    {
        if (caption.Kind == JobInputKind.Url)
        {
            return await fetcher.FetchSmallAsync(caption.Location, CaptionFile.MaxBytes, cancellationToken);
        }

        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"caption-{id}.vtt");
        await store.DownloadAsync(caption.Location, path, cancellationToken);
        return (await File.ReadAllBytesAsync(path, cancellationToken), null);
    }

    /// <summary>A linked file's format: from its URL's extension, else from its first bytes (WebVTT starts "WEBVTT").</summary>
    private static CaptionFormat FormatOf(CaptionInput caption, byte[] bytes) =>
        CaptionFile.FormatOf(Uri.TryCreate(caption.Location, UriKind.Absolute, out var uri) ? uri.AbsolutePath : caption.Location)
        ?? (bytes.AsSpan().IndexOf("WEBVTT"u8) is >= 0 and <= 3 ? CaptionFormat.WebVtt : CaptionFormat.SubRip);
}
