using System.Globalization;
using Transcoder.Storage;

namespace Transcoder.Api.Apis;

/// <summary>The <c>limit</c> and <c>after</c> query parameters every list endpoint pages with.</summary>
internal static class PageQuery
{
    private const int DefaultSize = 20;

    /// <summary>Reads both; a bad value adds an error naming its parameter to <paramref name="errors"/>.</summary>
    public static (int Size, JobCursor? After) Read(string? limit, string? after, int maxPageSize, Dictionary<string, string[]> errors)
    {
        var size = DefaultSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > maxPageSize))
        {
            errors["limit"] = [$"Must be a whole number from 1 to {maxPageSize}."];
        }

        JobCursor? cursor = null;
        if (after is not null && !JobCursor.TryDecode(after, out cursor))
        {
            errors["after"] = ["Must be the 'next' value of a previous page."];
        }

        return (size, cursor);
    }
}
