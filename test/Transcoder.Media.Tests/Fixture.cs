namespace Transcoder.Media.Tests;

/// <summary>Recorded ffprobe output of generated clips (Fixtures/*.json).</summary>
internal static class Fixture
{
    public static SourceInfo Probe(string name) =>
        ProbeReader.FromJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".json")), 1_000_000);
}
