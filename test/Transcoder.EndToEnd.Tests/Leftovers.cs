using System.Xml.Linq;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>What a job left behind in the bucket and in the silo's scratch folder.</summary>
public static class Leftovers
{
    public static Task<IReadOnlyList<string>> ObjectsAsync(string tenant, string jobId) => ListAsync($"{tenant}/{jobId}/");

    /// <summary>Every object of the tenant.</summary>
    public static Task<IReadOnlyList<string>> ObjectsAsync(string tenant) => ListAsync($"{tenant}/");

    private static async Task<IReadOnlyList<string>> ListAsync(string prefix)
    {
        using var http = new HttpClient();
        var xml = XDocument.Parse(await http.GetStringAsync($"{TestStack.S3Url}/{TestStack.Bucket}?list-type=2&prefix={prefix}"));
        // By local name: S3 answers in its namespace, the local endpoint in another of its own.
        var keys = xml.Descendants().Where(e => e.Name.LocalName == "Key").Select(k => k.Value).ToList();
        var count = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "KeyCount")?.Value;
        Assert.True(count is null || int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) == keys.Count, $"the listing of {prefix} says {count} keys but holds {keys.Count}");
        return keys;
    }

    public static IReadOnlyList<string> ScratchFolders(string jobId)
    {
        var scratch = Path.Combine(TestStack.DataFolder, "scratch");
        var prefix = Guid.Parse(jobId).ToString("N");
        return Directory.Exists(scratch)
            ? [.. Directory.EnumerateFileSystemEntries(scratch).Where(e => Path.GetFileName(e).StartsWith(prefix, StringComparison.Ordinal))]
            : [];
    }
}
