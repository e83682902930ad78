using Transcoder.Abstractions;
using Transcoder.Api.Contracts;
using Transcoder.Contracts.Webhooks;

namespace Transcoder.Api.Apis;

/// <summary>Checks of client input shared by the HTTP endpoints.</summary>
public static class JobValidation
{
    private const int MaxUrlLength = 4096;

    public static bool TryValidateUrl(string? text, out string? error, string field = "inputUrl")
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"{field} is required.";
        }
        else if (text.Length > MaxUrlLength)
        {
            error = $"{field} must be at most {MaxUrlLength} characters.";
        }
        else if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            error = $"{field} must be an absolute http or https URL.";
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            error = $"{field} must not carry credentials.";
        }

        return error is null;
    }

    /// <summary>
    /// An optional webhook URL: absent, or an https URL (http only to a host the service lists) on a service whose
    /// webhooks are configured. Whether it is a public address is checked when the webhook is sent, by the address
    /// it resolves to then.
    /// </summary>
    public static bool TryValidateCallbackUrl(string? text, WebhookOptions webhooks, out string? error)
    {
        error = null;
        if (text is null)
        {
            return true;
        }

        if (!webhooks.Enabled)
        {
            error = "Webhooks are not configured on this service.";
            return false;
        }

        if (!TryValidateUrl(text, out error, "callbackUrl"))
        {
            return false;
        }

        if (!webhooks.AllowsScheme(new Uri(text)))
        {
            error = WebhookOptions.HttpsRequired;
        }

        return error is null;
    }

    /// <summary>
    /// The settings every way of submitting a job shares: priority, attempts, callback URL and name. Adds an error per
    /// bad field to <paramref name="errors"/>; returns the priority to use.
    /// </summary>
    public static int CheckJobSettings(int? priority, int? maxAttempts, string? callbackUrl, string? name, WebhookOptions webhooks, Dictionary<string, string[]> errors)
    {
        if (!JobNames.TryValidate(name, out var nameError))
        {
            errors["name"] = [nameError!];
        }

        if (!TryValidatePriority(priority, out var resolved, out var priorityError))
        {
            errors["priority"] = [priorityError!];
        }

        if (!TryValidateMaxAttempts(maxAttempts, out var attemptsError))
        {
            errors["maxAttempts"] = [attemptsError!];
        }

        if (!TryValidateCallbackUrl(callbackUrl, webhooks, out var callbackError))
        {
            errors["callbackUrl"] = [callbackError!];
        }

        return resolved;
    }

    /// <inheritdoc cref="CheckJobSettings(int?, int?, string?, string?, WebhookOptions, Dictionary{string, string[]})"/>
    public static int CheckJobSettings(JobSettingsRequest request, WebhookOptions webhooks, Dictionary<string, string[]> errors) =>
        CheckJobSettings(request.Priority, request.MaxAttempts, request.CallbackUrl, request.Name, webhooks, errors);

    public static bool TryValidateMaxAttempts(int? requested, out string? error)
    {
        error = requested is null or (>= 1 and <= JobSpec.MostAttempts)
            ? null
            : $"maxAttempts must be from 1 to {JobSpec.MostAttempts}.";
        return error is null;
    }

    /// <summary>An Idempotency-Key: 1 to 255 visible ASCII characters, as clients generate them (UUIDs, hashes).</summary>
    public static bool TryValidateIdempotencyKey(string key, out string? error)
    {
        error = key.Length is >= 1 and <= 255 && key.All(c => c is > ' ' and <= '~')
            ? null
            : "The Idempotency-Key header must be 1 to 255 visible ASCII characters.";
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
