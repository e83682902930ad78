using System.Text.Json;

namespace Transcoder.Api.Apis;

/// <summary>Reads a JSON request body within the size limit, turning malformed JSON into a field error.</summary>
internal static class JsonBodies
{
    private static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web);

    /// <exception cref="BadHttpRequestException">413 if the body is larger than <paramref name="maxBytes"/>.</exception>
    public static async Task<(T? Body, Dictionary<string, string[]>? Errors)> ReadAsync<T>(
        HttpRequest request, int maxBytes, string what, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > maxBytes)
        {
            throw new BadHttpRequestException($"The JSON body exceeds {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        T? body;
        try
        {
            using var limited = new LengthLimitedStream(request.Body, maxBytes);
            body = await JsonSerializer.DeserializeAsync<T>(limited, RequestJson, cancellationToken);
        }
        catch (JsonException ex)
        {
            return (null, JobsApi.Error("body", $"The body is not a valid {what}: {ex.Message}"));
        }

        return body is null ? (null, JobsApi.Error("body", "The body is empty.")) : (body, null);
    }
}
