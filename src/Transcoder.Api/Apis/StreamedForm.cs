using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Transcoder.Captions;
using Transcoder.Storage;

namespace Transcoder.Api.Apis;

/// <summary>
/// A multipart/form-data submission read as it arrives: the 'file' part goes straight on to the bucket as its
/// bytes come in (never buffered on this replica's disk, as the framework's form reading would), 'captions' file
/// parts (small, capped) are kept in memory, the other fields are kept as text. On any error the stored file is
/// removed again.
/// </summary>
internal static class StreamedForm
{
    private const int MaxFieldChars = 1 << 16;

    /// <summary>The name of the file parts that carry caption files.</summary>
    public const string CaptionsPart = "captions";

    /// <summary>What the form held: its text fields, the file's name and size (stored at the given key), and caption files.</summary>
    public sealed record Contents(IReadOnlyDictionary<string, string> Fields, string? FileName, long FileBytes, IReadOnlyList<CaptionPart> Captions);

    public static async Task<(Contents? Form, Dictionary<string, string[]>? Errors)> ReadAsync(
        HttpRequest request, string key, IObjectStore store, long maxFileBytes, IReadOnlySet<string> textFields, CancellationToken cancellationToken)
    {
        var stored = false;
        try
        {
            var (form, errors) = await ReadSectionsAsync(request, key, store, maxFileBytes, textFields, () => stored = true, cancellationToken);
            if (form is null && stored)
            {
                await store.DeleteAsync(key, CancellationToken.None);
            }

            return (form, errors);
        }
        catch when (stored)
        {
            await store.DeleteAsync(key, CancellationToken.None);
            throw;
        }
    }

    private static async Task<(Contents? Form, Dictionary<string, string[]>? Errors)> ReadSectionsAsync(
        HttpRequest request, string key, IObjectStore store, long maxFileBytes, IReadOnlySet<string> textFields, Action onStored,
        CancellationToken cancellationToken)
    {
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? HeaderUtilities.RemoveQuotes(type.Boundary).Value : null;
        if (string.IsNullOrWhiteSpace(boundary))
        {
            return (null, JobsApi.Error("body", "The multipart body has no boundary."));
        }

        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = maxFileBytes };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var captions = new List<CaptionPart>();
        string? fileName = null;
        long? fileBytes = null;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase) || !disposition.Name.HasValue)
                {
                    return (null, JobsApi.Error("body", "Every part needs a Content-Disposition of form-data with a name."));
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition() && name == CaptionsPart)
                {
                    var partName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "");
                    var bytes = await ReadSmallAsync(section.Body, CaptionFile.MaxBytes, cancellationToken);
                    if (bytes is null)
                    {
                        return (null, JobsApi.Error(CaptionsPart, $"'{partName}' is larger than {CaptionFile.MaxBytes} bytes."));
                    }

                    var charset = MediaTypeHeaderValue.TryParse(section.ContentType, out var partType) ? HeaderUtilities.RemoveQuotes(partType.Charset).Value : null;
                    captions.Add(new CaptionPart(partName, bytes, string.IsNullOrEmpty(charset) ? null : charset));
                }
                else if (disposition.IsFileDisposition())
                {
                    if (name != "file")
                    {
                        return (null, JobsApi.Error(name, "Unknown file part; send the video as 'file' and caption files as 'captions'."));
                    }

                    if (fileBytes is not null)
                    {
                        return (null, JobsApi.Error("file", "Send one file."));
                    }

                    fileBytes = await store.PutStreamingAsync(key, section.Body, "application/octet-stream", cancellationToken);
                    onStored();
                    fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                }
                else if (textFields.Contains(name) && !fields.ContainsKey(name))
                {
                    using var text = new StreamReader(section.Body, Encoding.UTF8);
                    var buffer = new char[MaxFieldChars + 1];
                    var length = await text.ReadBlockAsync(buffer, cancellationToken);
                    if (length > MaxFieldChars)
                    {
                        return (null, JobsApi.Error(name, $"Must be at most {MaxFieldChars} characters."));
                    }

                    fields[name] = new string(buffer, 0, length);
                }
                else
                {
                    return (null, JobsApi.Error(name, $"Unknown or repeated field; accepted: 'file', '{CaptionsPart}', {string.Join(", ", textFields.Select(f => $"'{f}'"))}."));
                }
            }
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException($"The upload exceeds {maxFileBytes} bytes.", StatusCodes.Status413PayloadTooLarge, ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && ex is not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // A body cut short, or not multipart after all: the client's mistake.
            return (null, JobsApi.Error("body", $"The multipart body could not be read: {ex.Message}"));
        }

        if (fileBytes is null)
        {
            return (null, JobsApi.Error("file", "A 'file' part is required."));
        }

        if (fileBytes == 0)
        {
            return (null, JobsApi.Error("file", "The file is empty."));
        }

        return (new Contents(fields, fileName, fileBytes.Value, captions), null);
    }

    /// <summary>A part's bytes, or null if it is longer than <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]?> ReadSmallAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (memory.Length + read > maxBytes)
            {
                return null;
            }

            memory.Write(buffer, 0, read);
        }

        return memory.ToArray();
    }
}
