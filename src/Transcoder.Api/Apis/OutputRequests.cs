using System.Collections.Immutable;
using System.Globalization;
using Transcoder.Abstractions;
using Transcoder.Api.Contracts;

namespace Transcoder.Api.Apis;

/// <summary>
/// Checks what a submission asks its package to be made of and turns it into the job's <see cref="OutputOptions"/>:
/// every bad value is an error under its own field ("outputs.renditions[2].height"). What only the source can tell
/// (a rung above its height, a clip past its end) is checked against an upload by a silo before its job exists
/// (<see cref="CheckSourceAsync"/>), and otherwise (a URL input) fails the job with <c>invalid_outputs</c> naming the field.
/// </summary>
internal static class OutputRequests
{
    private const string Prefix = "outputs";

    /// <summary>The options, or null when they are the defaults; adds an error per bad field to <paramref name="errors"/>.</summary>
    public static OutputOptions? Check(OutputsRequest? asked, TenantOutputs? tenant, Dictionary<string, string[]> errors)
    {
        var codecs = CheckCodecs(asked?.Codecs ?? tenant?.Codecs, errors);
        var maxHeight = asked?.MaxHeight ?? tenant?.MaxHeight;
        if (maxHeight is { } cap && cap is < OutputOptions.LowestHeight or > OutputOptions.HighestHeight)
        {
            errors[$"{Prefix}.maxHeight"] = [Invariant($"Must be from {OutputOptions.LowestHeight} to {OutputOptions.HighestHeight} pixels.")];
        }

        var renditions = CheckRenditions(asked?.Renditions ?? [], maxHeight, errors);
        var downloads = CheckDownloads(asked?.Downloads ?? [.. (tenant?.Downloads ?? []).Select(d => new DownloadItemRequest { Format = d })], errors);
        var clip = asked?.Clip is { } c ? CheckClip(c, errors) : null;
        var thumbnails = asked?.Thumbnails is { } t ? CheckThumbnails(t, clip, errors) : null;
        var poster = asked?.PosterSeconds is { } seconds ? CheckTime(seconds, clip, $"{Prefix}.posterSeconds", errors) : null;

        var options = new OutputOptions
        {
            Codecs = codecs,
            MaxHeight = maxHeight,
            Renditions = renditions,
            Downloads = downloads,
            Clip = clip,
            Thumbnails = thumbnails,
            PosterSeconds = poster,
        };
        return options.IsDefault ? null : options;
    }

    /// <summary>The codecs in the package's order, H.264 first (always made).</summary>
    private static ImmutableArray<OutputCodec> CheckCodecs(IReadOnlyList<string>? asked, Dictionary<string, string[]> errors)
    {
        var codecs = new HashSet<OutputCodec> { OutputCodec.H264 };
        for (var i = 0; i < (asked?.Count ?? 0); i++)
        {
            switch (asked![i]?.Trim().ToLowerInvariant())
            {
                case "h264" or "avc":
                    break;
                case "hevc" or "h265":
                    codecs.Add(OutputCodec.Hevc);
                    break;
                case "av1":
                    codecs.Add(OutputCodec.Av1);
                    break;
                default:
                    errors[$"{Prefix}.codecs[{i}]"] = [$"'{asked[i]}' is not a codec this service makes: \"h264\", \"hevc\" or \"av1\"."];
                    break;
            }
        }

        return [.. codecs.Order()];
    }

    private static ImmutableArray<RenditionRequest> CheckRenditions(IReadOnlyList<RenditionItemRequest> asked, int? maxHeight, Dictionary<string, string[]> errors)
    {
        if (asked.Count > OutputOptions.MaxRenditions)
        {
            errors[$"{Prefix}.renditions"] = [Invariant($"At most {OutputOptions.MaxRenditions} rungs; {asked.Count} were asked for.")];
            return [];
        }

        var rungs = new List<RenditionRequest>();
        for (var i = 0; i < asked.Count; i++)
        {
            var field = $"{Prefix}.renditions[{i}]";
            var item = asked[i];
            if (item is null || item.Height is not { } height || height is < OutputOptions.LowestHeight or > OutputOptions.HighestHeight || height % 2 != 0)
            {
                errors[$"{field}.height"] = [Invariant($"Required: an even height from {OutputOptions.LowestHeight} to {OutputOptions.HighestHeight} pixels.")];
                continue;
            }

            if (maxHeight is { } cap && height > cap)
            {
                errors[$"{field}.height"] = [Invariant($"{height} is above outputs.maxHeight ({cap}).")];
                continue;
            }

            if (rungs.Any(r => r.Height == height))
            {
                errors[$"{field}.height"] = [Invariant($"{height} is listed twice.")];
                continue;
            }

            if (item.MaxBitrateKbps is { } kbps && kbps is < RenditionRequest.LowestKbps or > RenditionRequest.HighestKbps)
            {
                errors[$"{field}.maxBitrateKbps"] = [Invariant($"Must be from {RenditionRequest.LowestKbps} to {RenditionRequest.HighestKbps} kbit/s.")];
                continue;
            }

            rungs.Add(new RenditionRequest(height, item.MaxBitrateKbps));
        }

        return [.. rungs.OrderByDescending(r => r.Height)];
    }

    private static ImmutableArray<DownloadRequest> CheckDownloads(IReadOnlyList<DownloadItemRequest> asked, Dictionary<string, string[]> errors)
    {
        var downloads = new List<DownloadRequest>();
        for (var i = 0; i < asked.Count; i++)
        {
            var field = $"{Prefix}.downloads[{i}]";
            var item = asked[i];
            var format = item?.Format?.Trim().ToLowerInvariant();
            if (format is not ("mp4" or "m4a"))
            {
                errors[$"{field}.format"] = [$"'{item?.Format}' is not a download this service makes: \"mp4\" or \"m4a\"."];
                continue;
            }

            if (format == "m4a" && item!.Height is not null)
            {
                errors[$"{field}.height"] = ["An m4a download is audio only: it has no height."];
                continue;
            }

            var download = format == "mp4" ? new DownloadRequest(DownloadFormat.Mp4, item!.Height) : new DownloadRequest(DownloadFormat.M4a);
            if (download.Height is { } height && (height is < OutputOptions.LowestHeight or > OutputOptions.HighestHeight || height % 2 != 0))
            {
                errors[$"{field}.height"] = [Invariant($"Must be an even height from {OutputOptions.LowestHeight} to {OutputOptions.HighestHeight} pixels, one of the package's rungs.")];
                continue;
            }

            if (!downloads.Contains(download))
            {
                downloads.Add(download);
            }
        }

        if (downloads.Count > 4)
        {
            errors[$"{Prefix}.downloads"] = ["At most 4 downloads."];
        }

        return [.. downloads];
    }

    private static ClipRange? CheckClip(ClipRequest clip, Dictionary<string, string[]> errors)
    {
        var field = $"{Prefix}.clip";
        if (clip.StartSeconds is not { } start || !double.IsFinite(start) || start < 0)
        {
            errors[$"{field}.startSeconds"] = ["Required: where the clip starts, in seconds of the source, 0 or more."];
            return null;
        }

        if (clip.EndSeconds is not { } end || !double.IsFinite(end) || end - start < ClipRange.ShortestSeconds)
        {
            errors[$"{field}.endSeconds"] = [Invariant($"Required: where the clip ends, in seconds of the source, at least {ClipRange.ShortestSeconds} s after its start ({start}).")];
            return null;
        }

        return new ClipRange(start, end);
    }

    private static ThumbnailRequest? CheckThumbnails(ThumbnailsRequest asked, ClipRange? clip, Dictionary<string, string[]> errors)
    {
        var field = $"{Prefix}.thumbnails";
        var times = asked.Times ?? [];
        var ok = true;
        if (times.Count is 0 or > OutputOptions.MaxThumbnails)
        {
            errors[$"{field}.times"] = [Invariant($"Required: 1 to {OutputOptions.MaxThumbnails} times in seconds.")];
            ok = false;
        }

        for (var i = 0; i < times.Count && ok; i++)
        {
            ok &= CheckTime(times[i], clip, $"{field}.times[{i}]", errors) is not null;
        }

        var width = asked.Width ?? ThumbnailRequest.DefaultWidth;
        if (width is < ThumbnailRequest.LowestWidth or > ThumbnailRequest.HighestWidth)
        {
            errors[$"{field}.width"] = [Invariant($"Must be from {ThumbnailRequest.LowestWidth} to {ThumbnailRequest.HighestWidth} pixels.")];
            ok = false;
        }

        StillFormat? format = (asked.Format?.Trim().ToLowerInvariant()) switch
        {
            null or "jpeg" or "jpg" => StillFormat.Jpeg,
            "webp" => StillFormat.Webp,
            _ => null,
        };
        if (format is null)
        {
            errors[$"{field}.format"] = [$"'{asked.Format}' is not an image format this service makes: \"jpeg\" or \"webp\"."];
            ok = false;
        }

        return ok ? new ThumbnailRequest { Times = [.. times.Distinct().Order()], Width = width, Format = format!.Value } : null;
    }

    /// <summary>A time of the package: 0 or more, and within the clip when there is one.</summary>
    private static double? CheckTime(double seconds, ClipRange? clip, string field, Dictionary<string, string[]> errors)
    {
        if (!double.IsFinite(seconds) || seconds < 0)
        {
            errors[field] = ["Must be a time in seconds, 0 or more."];
            return null;
        }

        if (clip is not null && seconds >= clip.DurationSeconds)
        {
            errors[field] = [Invariant($"{seconds} s is outside the clip, which is {clip.DurationSeconds:0.###} s long (times count from its start).")];
            return null;
        }

        return seconds;
    }

    /// <summary>
    /// Checks an upload's outputs against the source (by a silo, which probes it in the bucket): the errors of a 400
    /// naming the field, or null when they can be met (or the source could not be read there: the job then fails as it would).
    /// </summary>
    public static async Task<Dictionary<string, string[]>?> CheckSourceAsync(IClusterClient cluster, JobInput input, TrackOptions? tracks, OutputOptions outputs) =>
        await cluster.GetGrain<IOutputCheckGrain>(0).CheckAsync(input, tracks, outputs) is { } refusal
            ? new Dictionary<string, string[]>(StringComparer.Ordinal) { [refusal.Field] = [refusal.Message] }
            : null;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
