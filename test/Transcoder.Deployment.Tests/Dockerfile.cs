using System.Text.RegularExpressions;

namespace Transcoder.Deployment.Tests;

/// <summary>A Dockerfile read as its stages and instructions (continuation lines joined, comments dropped).</summary>
public sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>The stage of <c>FROM image AS name</c>.</summary>
    public Stage Named(string name) =>
        Stages.Single(s => s.From.EndsWith($" AS {name}", StringComparison.OrdinalIgnoreCase));

    public static Dockerfile Read(string path)
    {
        var stages = new List<Stage>();
        var logical = Continuation().Replace(File.ReadAllText(path), " ");
        foreach (var line in logical.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var instruction = new Instruction(line[..space].ToUpperInvariant(), line[(space + 1)..].Trim());
            if (instruction.Keyword == "FROM")
            {
                stages.Add(new Stage(instruction.Arguments, []));
            }
            else
            {
                stages[^1].Instructions.Add(instruction);
            }
        }

        return new Dockerfile(stages);
    }

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex Continuation();

    /// <summary>A FROM and what follows it.</summary>
    public sealed record Stage(string From, List<Instruction> Instructions)
    {
        public IEnumerable<string> All(string keyword) => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);
    }

    public sealed record Instruction(string Keyword, string Arguments);
}
