using Transcoder.Abstractions;

namespace Transcoder.Api.Apis;

/// <summary>
/// A job's name: the one given at submission, else the uploaded file's name, else the URL's last path segment
/// (decoded), so that every job in a list can be told apart by more than its id.
/// </summary>
public static class JobNames
{
    /// <summary>A name a client gives: absent, or 1-200 characters after trimming, with no control characters.</summary>
    public static bool TryValidate(string? requested, out string? error)
    {
        error = null;
        if (requested is null)
        {
            return true;
        }

        var trimmed = requested.Trim();
        if (trimmed.Length == 0)
        {
            error = "name must not be blank (leave it out for the file's or the URL's name).";
        }
        else if (trimmed.Length > JobSpec.MaxNameLength)
        {
            error = $"name must be at most {JobSpec.MaxNameLength} characters.";
        }
        else if (trimmed.Any(char.IsControl))
        {
            error = "name must not contain control characters.";
        }

        return error is null;
    }

    /// <summary>The job's name from what the request gave.</summary>
    public static string? For(string? requested, string? fileName = null, string? url = null)
    {
        if (!string.IsNullOrWhiteSpace(requested))
        {
            return requested.Trim();
        }

        if (Clean(Path.GetFileName(fileName ?? "")) is { } file)
        {
            return file;
        }

        if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            var last = uri.AbsolutePath.TrimEnd('/').Split('/')[^1];
            return Clean(Uri.UnescapeDataString(last)) ?? uri.Host;
        }

        return null;
    }

    /// <summary>Control characters dropped, trimmed, cut to the longest name; null if nothing is left.</summary>
    private static string? Clean(string text)
    {
        var kept = new string([.. text.Where(c => !char.IsControl(c))]).Trim();
        return kept.Length == 0 ? null : kept[..Math.Min(kept.Length, JobSpec.MaxNameLength)];
    }
}
