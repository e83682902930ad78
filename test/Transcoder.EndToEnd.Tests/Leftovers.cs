using System.Xml.Linq;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>What a job left behind in the bucket and in the silo's scratch folder.</summary>
public static class Leftovers
{
    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";

    public static Task<IReadOnlyList<string>> ObjectsAsync(string tenant, string jobId) => ListAsync($"{tenant}/{jobId}/");

    /// <summary>Every object of the tenant.</summary>
    public static Task<IReadOnlyList<string>> ObjectsAsync(string tenant) => ListAsync($"{tenant}/");

    private static async Task<IReadOnlyList<string>> ListAsync(string prefix)
    {
        using var http = new HttpClient();
        var xml = XDocument.Parse(await http.GetStringAsync($"{TestStack.S3Url}/{TestStack.Bucket}?list-type=2&prefix={prefix}"));
        return [.. xml.Descendants(S3 + "Key").Select(k => k.Value)];
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
