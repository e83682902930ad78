using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NJsonSchema.CodeGeneration.CSharp;
using NSwag.CodeGeneration.CSharp;
using NSwag.CodeGeneration.OperationNameGenerators;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// A C# client that NSwag (a standard generator, as API users run it) generates from an OpenAPI document, compiled
/// with Roslyn and called through reflection, since its types exist only once the document is read.
/// </summary>
public sealed class GeneratedClient
{
    private readonly Assembly _assembly;
    private readonly Type _clientType;

    private GeneratedClient(Assembly assembly, string source)
    {
        _assembly = assembly;
        Source = source;
        _clientType = assembly.GetType("Generated.TranscoderClient") ?? throw new InvalidOperationException("NSwag generated no TranscoderClient.");
    }

    /// <summary>The generated C# source.</summary>
    public string Source { get; }

    /// <summary>Generates the client from <paramref name="openApiJson"/> and compiles it; a compile error fails with the errors.</summary>
    public static async Task<GeneratedClient> GenerateAsync(string openApiJson)
    {
        var document = await NSwag.OpenApiDocument.FromJsonAsync(openApiJson);
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "TranscoderClient",
            OperationNameGenerator = new SingleClientFromOperationIdOperationNameGenerator(),
            GenerateClientInterfaces = true,
        };
        settings.CSharpGeneratorSettings.Namespace = "Generated";
        settings.CSharpGeneratorSettings.JsonLibrary = CSharpJsonLibrary.SystemTextJson;
        var source = new CSharpClientGenerator(document, settings).GenerateFile();

        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            $"Generated{Guid.NewGuid():N}",
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var assembly = new MemoryStream();
        var emitted = compilation.Emit(assembly);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(emitted.Success, $"the generated client does not compile:\n{string.Join('\n', errors.Take(20))}");
        return new GeneratedClient(Assembly.Load(assembly.ToArray()), source);
    }

    /// <summary>A client instance talking to <paramref name="baseUrl"/> through <paramref name="http"/>.</summary>
    public object Create(string baseUrl, HttpClient http)
    {
        var withBaseUrl = _clientType.GetConstructor([typeof(string), typeof(HttpClient)]);
        if (withBaseUrl is not null)
        {
            return withBaseUrl.Invoke([baseUrl, http]);
        }

        var client = _clientType.GetConstructor([typeof(HttpClient)])!.Invoke([http]);
        _clientType.GetProperty("BaseUrl")?.SetValue(client, baseUrl);
        return client;
    }

    /// <summary>A generated model with these properties set.</summary>
    public object New(string typeName, params (string Name, object? Value)[] properties)
    {
        var type = _assembly.GetType($"Generated.{typeName}") ?? throw new InvalidOperationException($"NSwag generated no {typeName}.");
        var model = Activator.CreateInstance(type)!;
        foreach (var (name, value) in properties)
        {
            var property = type.GetProperty(name) ?? throw new InvalidOperationException($"{typeName} has no {name}.");
            property.SetValue(model, value);
        }

        return model;
    }

    /// <summary>Calls the operation <paramref name="operationId"/> with its parameters by name (the rest left out); returns its result.</summary>
    public async Task<object?> CallAsync(object client, string operationId, params (string Name, object? Value)[] arguments)
    {
        var method = _clientType.GetMethods()
            .Single(m => m.Name == $"{operationId}Async" && m.GetParameters().LastOrDefault()?.ParameterType == typeof(CancellationToken));
        var values = method.GetParameters()
            .Select(p => p.ParameterType == typeof(CancellationToken)
                ? CancellationToken.None
                : arguments.Where(a => a.Name == p.Name).Select(a => a.Value).FirstOrDefault())
            .ToArray();
        var task = (Task)method.Invoke(client, values)!;
        await task;
        return method.ReturnType.IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
    }

    /// <summary>The HTTP status of a generated client's ApiException, or null if <paramref name="exception"/> is none.</summary>
    public static int? StatusOf(Exception exception) =>
        exception.GetType().Name.StartsWith("ApiException", StringComparison.Ordinal)
            ? (int?)exception.GetType().GetProperty("StatusCode")!.GetValue(exception)
            : null;

    public static object? Get(object model, string property) =>
        model.GetType().GetProperty(property)?.GetValue(model) ?? throw new InvalidOperationException($"{model.GetType().Name}.{property} is missing or null.");
}
