using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Transcoder.Testing;

namespace Transcoder.Deployment.Tests;

/// <summary>
/// charts/transcoder, checked without Helm (not installable here; .ci/chart-workflow.yml runs helm lint,
/// helm template and kubeconform on a hosted runner): its YAML parses, its values match its schema, the schema
/// refuses bad values, and the templates read only values that exist.
/// </summary>
public sealed partial class ChartTests
{
    private static readonly string Chart = Path.Combine(TestStack.RepositoryRoot, "charts", "transcoder");

    [Fact]
    public void ChartAndValues_Parse_AndTheValuesMatchTheSchema()
    {
        var chart = Yaml.Read(Path.Combine(Chart, "Chart.yaml"))!;
        Assert.Equal("v2", chart["apiVersion"]!.GetValue<string>());
        Assert.Equal("transcoder", chart["name"]!.GetValue<string>());
        Assert.Matches(@"^\d+\.\d+\.\d+$", chart["version"]!.GetValue<string>());

        var result = Schema().Evaluate(ToElement(Values()), new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, Describe(result));
    }

    [Theory]
    [InlineData("silo.encodeSlots", "0")]
    [InlineData("secrets.postgres.name", "\"\"")]
    [InlineData("objectStore.publicBaseUrl", "\"ftp://media\"")]
    [InlineData("autoscaling.hpa.cpuUtilization", "150")]
    [InlineData("networkPolicy.redisCidrs", "[\"everywhere\"]")]
    [InlineData("objectStore.archiveStorageClass", "\"GLACIER_FLEXIBLE\"")]
    [InlineData("sillo", "{}")]
    public void Schema_RefusesBadValues(string path, string json)
    {
        var values = Values();
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate((JsonNode)values, (node, key) => node[key]!);
        parent[parts[^1]] = JsonNode.Parse(json);

        Assert.False(Schema().Evaluate(ToElement(values)).IsValid, $"{path} = {json} was accepted");
    }

    [Fact]
    public void Templates_ReadOnlyValuesThatExist()
    {
        var values = Values();
        var missing = new List<string>();
        foreach (var template in Directory.EnumerateFiles(Path.Combine(Chart, "templates")))
        {
            foreach (Match reference in ValuesReference().Matches(File.ReadAllText(template)))
            {
                JsonNode? node = values;
                foreach (var key in reference.Groups[1].Value.Split('.'))
                {
                    node = node is JsonObject o && o.TryGetPropertyValue(key, out var child) ? child ?? JsonValue.Create("") : null;
                }

                if (node is null)
                {
                    missing.Add($"{Path.GetFileName(template)}: .Values.{reference.Groups[1].Value}");
                }
            }
        }

        Assert.True(missing.Count == 0, string.Join('\n', missing.Distinct()));
    }

    /// <summary>Every YAML file outside the chart's templates (which are Go templates, not YAML) parses.</summary>
    [Fact]
    public void EveryPlainYamlFile_Parses()
    {
        var root = TestStack.RepositoryRoot;
        var files = new[] { "charts", "infra", ".ci" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}templates{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(files, f => f.EndsWith("values.yaml", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("chart-workflow.yml", StringComparison.Ordinal));
        Assert.All(files, f => Assert.NotEmpty(Yaml.ReadAll(f)));
    }

    private static JsonObject Values() => Yaml.Read(Path.Combine(Chart, "values.yaml"))!.AsObject();

    private static JsonSchema Schema() => JsonSchema.FromText(File.ReadAllText(Path.Combine(Chart, "values.schema.json")));

    private static JsonElement ToElement(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement;

    private static string Describe(EvaluationResults result) =>
        string.Join('\n', (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    [GeneratedRegex(@"\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")]
    private static partial Regex ValuesReference();
}
