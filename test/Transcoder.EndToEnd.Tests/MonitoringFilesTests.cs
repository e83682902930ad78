using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Transcoder.Testing;
using YamlDotNet.RepresentationModel;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// infra/monitoring: the Grafana dashboard and the Prometheus alert rules parse, are complete, and name only
/// metrics that the running service exports.
/// </summary>
public sealed partial class MonitoringFilesTests : IDisposable
{
    private static readonly string Folder = Path.Combine(TestStack.RepositoryRoot, "infra", "monitoring");
    private readonly ApiClient _api = new($"monitor-{Guid.NewGuid():N}"[..20]);
    private readonly string _scratch = TestStack.NewScratchFolder("monitoring");

    [Fact]
    public void AlertRules_AreCompleteRules()
    {
        var rules = AlertRules().ToList();

        Assert.Equal(
            ["TranscoderDeadLettersGrowing", "TranscoderFailureRateHigh", "TranscoderNoFreeSlots", "TranscoderNoSilos", "TranscoderQueueAgeHigh", "TranscoderWebhooksAbandoned"],
            rules.Select(r => Scalar(r, "alert")).Order(StringComparer.Ordinal));
        Assert.All(rules, rule =>
        {
            Assert.False(string.IsNullOrWhiteSpace(Scalar(rule, "expr")));
            Assert.Matches(@"^\d+[smh]$", Scalar(rule, "for"));
            Assert.Contains(Scalar((YamlMappingNode)rule.Children["labels"], "severity"), new[] { "warning", "critical" });
            Assert.False(string.IsNullOrWhiteSpace(Scalar((YamlMappingNode)rule.Children["annotations"], "summary")));
        });
    }

    [Fact]
    public void Dashboard_EveryPanelQueriesPrometheus()
    {
        var dashboard = Dashboard();
        var panels = dashboard["panels"]!.AsArray();

        Assert.Equal("transcoder-overview", dashboard["uid"]!.GetValue<string>());
        Assert.True(panels.Count >= 10, $"{panels.Count} panels");
        Assert.Equal(panels.Count, panels.Select(p => p!["id"]!.GetValue<int>()).Distinct().Count());
        Assert.All(panels, panel =>
        {
            Assert.Equal("prometheus", panel!["datasource"]!["type"]!.GetValue<string>());
            Assert.NotEmpty(panel["targets"]!.AsArray());
            Assert.All(panel["targets"]!.AsArray(), t => Assert.False(string.IsNullOrWhiteSpace(t!["expr"]!.GetValue<string>())));
        });
    }

    /// <summary>
    /// After a job has run (so every histogram has a sample), each metric the dashboard and the alerts read is
    /// in the silo's or the API's /metrics.
    /// </summary>
    [Fact]
    public async Task EveryMetricTheyRead_IsExported()
    {
        var clip = await TestClips.VideoAsync(_scratch, 320, 240, 1);
        var job = await _api.UploadAsync(clip);
        Assert.Equal("completed", (await _api.WaitForEndAsync(job["id"]!.GetValue<string>()))["status"]!.GetValue<string>());

        using var http = new HttpClient();
        var exported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var url in new[] { TestStack.MetricsUrl, $"{TestStack.ApiUrl}/metrics" })
        {
            foreach (var line in (await http.GetStringAsync(new Uri(url))).Split('\n'))
            {
                if (line.Length > 0 && line[0] != '#')
                {
                    exported.Add(SampleName().Match(line).Value);
                }
            }
        }

        var expressions = AlertRules().Select(r => Scalar(r, "expr"))
            .Concat(Dashboard()["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray().Select(t => t!["expr"]!.GetValue<string>())))
            .ToList();
        var read = expressions.SelectMany(MetricNames).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("transcoder_queue_depth", read);
        Assert.Contains("transcoder_jobs_dead_lettered_total", read);
        Assert.Empty(read.Where(name => !exported.Contains(name)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MetricNames_AreTakenFromExpressionsOnly()
    {
        Assert.Equal(
            ["http_server_request_duration_seconds_bucket", "transcoder_worker_slots"],
            MetricNames("""sum by (http_response_status_code, le) (rate(http_server_request_duration_seconds_bucket{job="api"}[5m])) / sum(transcoder_worker_slots{state="free"})""").Order(StringComparer.Ordinal));
    }

    public void Dispose()
    {
        _api.Dispose();
        Directory.Delete(_scratch, true);
    }

    /// <summary>The metric names in a PromQL expression: identifiers that are not functions, keywords or label names.</summary>
    private static IEnumerable<string> MetricNames(string expression)
    {
        var withoutLabels = Grouping().Replace(Matchers().Replace(expression, ""), "");
        return Identifier().Matches(withoutLabels)
            .Where(m => !FollowedByParenthesis(withoutLabels, m) && !Keywords.Contains(m.Value))
            .Select(m => m.Value)
            .Distinct(StringComparer.Ordinal);
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset" };

    private static bool FollowedByParenthesis(string text, Match match)
    {
        var next = match.Index + match.Length;
        while (next < text.Length && char.IsWhiteSpace(text[next]))
        {
            next++;
        }

        return next < text.Length && text[next] == '(';
    }

    private static IEnumerable<YamlMappingNode> AlertRules()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Folder, "alerts.yml")))
        {
            yaml.Load(reader);
        }

        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children["groups"];
        return groups.Children.Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g.Children["rules"]).Children.Cast<YamlMappingNode>());
    }

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value ?? "" : "";

    private static JsonObject Dashboard() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "grafana-dashboard.json")))!.AsObject();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*(?![\w.])")]
    private static partial Regex Identifier();
}
