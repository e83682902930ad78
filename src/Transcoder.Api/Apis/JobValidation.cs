using Transcoder.Abstractions;

namespace Transcoder.Api.Apis;

/// <summary>Checks of client input shared by the HTTP endpoints.</summary>
public static class JobValidation
{
    private const int MaxUrlLength = 4096;

    public static bool TryValidateUrl(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "inputUrl is required.";
        }
        else if (text.Length > MaxUrlLength)
        {
            error = $"inputUrl must be at most {MaxUrlLength} characters.";
        }
        else if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            error = "inputUrl must be an absolute http or https URL.";
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            error = "inputUrl must not carry credentials.";
        }

        return error is null;
    }

    public static bool TryValidatePriority(int? requested, out int priority, out string? error)
    {
        priority = requested ?? JobSpec.DefaultPriority;
        error = priority is >= JobSpec.HighestPriority and <= JobSpec.LowestPriority
            ? null
            : $"priority must be from {JobSpec.HighestPriority} (most urgent) to {JobSpec.LowestPriority}.";
        return error is null;
    }
}
