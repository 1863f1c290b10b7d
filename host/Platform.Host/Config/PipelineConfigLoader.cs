using System.Text.RegularExpressions;
using Platform.Host.Config.Binding;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Host.Config;

/// <summary>
/// Reads a pipeline YAML file into a <see cref="PipelineConfig"/>, collecting every error (not just
/// the first) with its line, column and a hint. Binding is by hand over YamlDotNet's representation
/// model, so positions survive and unknown keys are errors.
/// </summary>
/// <remarks>
/// Relative paths: inputs (the file source's <c>path</c>) resolve against the YAML file's folder;
/// outputs (sink paths, <c>dead-letter.path</c>) against <c>workingDirectory</c>, by default the
/// process's current directory.
/// </remarks>
internal static partial class PipelineConfigLoader
{
    /// <summary>The top-level keys, in the order hints list them.</summary>
    public static readonly IReadOnlyList<string> TopLevelKeys =
        ["name", "source", "format", "event-time", "steps", "sinks", "dead-letter", "runtime", "http", "checkpoint", "parser", "alerts", "run-report", "tracing"];

    /// <summary>Loads and checks a pipeline file.</summary>
    public static ConfigLoadResult Load(string path, string? workingDirectory = null, ConfigRegistry? registry = null)
    {
        workingDirectory ??= Environment.CurrentDirectory;
        var fullPath = Path.GetFullPath(path, workingDirectory);
        if (Directory.Exists(fullPath) || !File.Exists(fullPath))
        {
            return new ConfigLoadResult(null, [new ConfigError(path, 0, 0, $"file not found (looked at {fullPath})", "pass the path of a pipeline YAML file, e.g. samples/iot-anomaly/pipeline.yaml")]);
        }
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ConfigLoadResult(null, [new ConfigError(path, 0, 0, $"cannot read the file: {e.Message}")]);
        }
        return Parse(text, path, workingDirectory, registry);
    }

    /// <summary>Parses and checks pipeline YAML; <paramref name="fileName"/> names it in errors and locates its folder.</summary>
    public static ConfigLoadResult Parse(string yamlText, string fileName, string? workingDirectory = null, ConfigRegistry? registry = null)
    {
        workingDirectory ??= Environment.CurrentDirectory;
        registry ??= ConfigRegistry.Default;
        var configDirectory = Path.GetDirectoryName(Path.GetFullPath(fileName, workingDirectory)) ?? workingDirectory;
        var context = new BindContext(fileName, configDirectory, workingDirectory);

        var root = ReadRoot(yamlText, context);
        var config = root is null ? null : Bind(new MappingReader(root, "the pipeline", context), fileName, registry);
        var errors = context.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToArray();
        return new ConfigLoadResult(errors.Length == 0 ? config : null, errors);
    }

    private static YamlMappingNode? ReadRoot(string yamlText, BindContext context)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yamlText));
        }
        catch (YamlException e)
        {
            var inner = e.InnerException is YamlException ie ? ie : e;
            var message = StripPosition(inner.Message);
            var hint = message.Contains("Duplicate key", StringComparison.OrdinalIgnoreCase)
                ? "each key may appear once per mapping; remove or rename the repeated one"
                : "check the indentation (spaces, not tabs) and that every 'key: value' has a space after the colon";
            context.Error((int)inner.Start.Line, (int)inner.Start.Column, "YAML syntax: " + message, hint);
            return null;
        }
        catch (ArgumentException e)
        {
            // YamlDotNet reports a duplicate key this way, without a position.
            context.Error(1, 1, "YAML: " + e.Message, "each key may appear once per mapping");
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode s && MappingReader.IsNull(s))
        {
            context.Error(1, 1, "the file is empty", "start with 'name:', 'source:', 'steps:' and 'sinks:' — see samples/iot-anomaly/pipeline.yaml");
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            context.Error(stream.Documents[1].RootNode, "the file holds more than one YAML document", "keep one pipeline per file; remove the '---' separator");
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            context.Error(stream.Documents[0].RootNode, "a pipeline must be a mapping of keys", "start with 'name:', 'source:', 'steps:' and 'sinks:'");
            return null;
        }
        return root;
    }

    private static PipelineConfig? Bind(MappingReader root, string fileName, ConfigRegistry registry)
    {
        var context = root.Context;
        foreach (var key in TopLevelKeys)
        {
            root.Get(key);
        }

        context.Runtime = RuntimeBinder.Bind(root.Mapping("runtime"));
        var name = root.String("name") ?? NameRules.FromFileName(fileName);
        if (!NameRules.Valid().IsMatch(name))
        {
            context.Error(root.Get("name"), $"'name' must be letters, digits, '.', '_' or '-' (up to 64), got '{name}'", "write e.g. 'name: iot-anomaly'");
        }
        var format = root.Enum("format", ConfigDefaults.Format);
        var source = BindSource(root, registry);
        var eventTime = EventTimeBinder.Bind(root.Mapping("event-time"));
        var steps = BindSteps(root, registry);
        var sinks = BindSinks(root, registry);
        var deadLetter = DeadLetterBinder.Bind(root.Mapping("dead-letter"), name, context);
        var http = HttpBinder.Bind(root.Mapping("http"));
        var checkpoint = CheckpointBinder.Bind(root.Mapping("checkpoint"), context);
        KafkaChecks.Check(root, source, sinks, checkpoint);
        var parser = OpsBinders.Bind(root.Mapping("parser"), ParserConfig.Default);
        var alerts = OpsBinders.BindAlerts(root.Mapping("alerts"));
        var runReport = OpsBinders.BindRunReport(root.Mapping("run-report"));
        var tracing = OpsBinders.BindTracing(root.Mapping("tracing"));
        root.ReportUnknownKeys();

        if (context.Errors.Count > 0 || source is null || steps is null || sinks is null)
        {
            return null;
        }
        return new PipelineConfig(name, source, format, eventTime, steps, sinks, deadLetter, context.Runtime, http) { Checkpoint = checkpoint, Parser = parser, Alerts = alerts, RunReport = runReport, Tracing = tracing };
    }

    private static SourceConfig? BindSource(MappingReader root, ConfigRegistry registry)
    {
        var reader = root.Mapping("source", required: true, example: "{ type: generator }");
        if (reader is null)
        {
            return null;
        }
        var type = ReadName(reader, "type", "source type", registry.Sources.Keys);
        if (type is null)
        {
            return null;
        }
        reader.What = $"{type} source";
        var config = registry.Sources[type].Bind(reader);
        reader.ReportUnknownKeys();
        return config;
    }

    private static EquatableList<StepConfig>? BindSteps(MappingReader root, ConfigRegistry registry)
    {
        var sequence = root.Sequence("steps");
        if (sequence is null)
        {
            return root.Has("steps") ? null : EquatableList<StepConfig>.Empty;
        }
        var steps = new List<StepConfig>();
        var opsSoFar = new List<string>();
        var ok = true;
        foreach (var item in sequence.Children)
        {
            if (item is not YamlMappingNode mapping)
            {
                root.Context.Error(item, $"a step must be a mapping with 'op', got {MappingReader.Describe(item)}", "write '- op: key-by' and the step's fields indented below it");
                ok = false;
                continue;
            }
            var reader = new MappingReader(mapping, "step", root.Context);
            var op = ReadName(reader, "op", "operator", registry.Steps.Keys);
            if (op is null)
            {
                ok = false;
                continue;
            }
            reader.What = op;
            var kind = registry.Steps[op];
            foreach (var required in kind.RequiresBefore.Where(r => !opsSoFar.Contains(r)))
            {
                root.Context.Error(reader.Get("op"), $"{op} needs a '{required}' step before it", $"add '- op: {required}' above this step");
                ok = false;
            }
            opsSoFar.Add(op);
            var step = kind.Bind(reader);
            reader.ReportUnknownKeys();
            if (step is null)
            {
                ok = false;
            }
            else
            {
                steps.Add(step);
                root.Context.StepsSoFar.Add(step);
            }
        }
        return ok ? new EquatableList<StepConfig>(steps) : null;
    }

    private static EquatableList<SinkConfig>? BindSinks(MappingReader root, ConfigRegistry registry)
    {
        var sequence = root.Sequence("sinks", required: true, example: "[{ type: console }]");
        if (sequence is null)
        {
            return null;
        }
        if (sequence.Children.Count == 0)
        {
            root.Context.Error(sequence, "'sinks' is empty", "add at least one sink, e.g. '- type: console'");
            return null;
        }
        var sinks = new List<SinkConfig>();
        var ok = true;
        foreach (var item in sequence.Children)
        {
            if (item is not YamlMappingNode mapping)
            {
                root.Context.Error(item, $"a sink must be a mapping with 'type', got {MappingReader.Describe(item)}", "write '- type: duckdb' and the sink's fields indented below it");
                ok = false;
                continue;
            }
            var reader = new MappingReader(mapping, "sink", root.Context);
            var type = ReadName(reader, "type", "sink type", registry.Sinks.Keys);
            if (type is null)
            {
                ok = false;
                continue;
            }
            reader.What = $"{type} sink";
            var sink = registry.Sinks[type].Bind(reader);
            reader.ReportUnknownKeys();
            if (sink is null)
            {
                ok = false;
            }
            else
            {
                sinks.Add(sink);
            }
        }
        return ok ? new EquatableList<SinkConfig>(sinks) : null;
    }

    /// <summary>Reads a registry name (<c>op</c>, <c>type</c>); plain <c>null</c> is a name here, not YAML null.</summary>
    private static string? ReadName(MappingReader reader, string key, string label, IEnumerable<string> known)
    {
        var names = known.ToArray();
        var node = reader.Get(key);
        if (node is null)
        {
            reader.Missing(key, string.Join(" | ", names));
            return null;
        }
        if (node is not YamlScalarNode { Value: { Length: > 0 } value })
        {
            reader.Context.Error(node, $"'{key}' must name a {label}, got {MappingReader.Describe(node)}", $"known: {string.Join(", ", names)}");
            return null;
        }
        if (!names.Contains(value, StringComparer.Ordinal))
        {
            var lowered = value.ToLowerInvariant();
            if (names.Contains(lowered, StringComparer.Ordinal))
            {
                return lowered;
            }
            reader.Context.Error(node, $"unknown {label} '{value}'", DidYouMean.Hint(value, names));
            return null;
        }
        return value;
    }

    private static string StripPosition(string message) => PositionPrefix().Replace(message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}
