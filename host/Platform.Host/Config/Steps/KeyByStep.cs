using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Steps;

/// <summary>Binds <c>op: key-by</c>.</summary>
internal static class KeyByStep
{
    /// <summary>Telemetry fields a key can be made of.</summary>
    public static readonly IReadOnlyList<string> KnownFields = ["deviceId", "sensorType", "unit"];

    /// <summary>The registry entry.</summary>
    public static StepKind Kind { get; } = new(KeyByStepConfig.OpName, [], Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(StepConfig config) =>
        [ConfigYaml.Pair("fields", ConfigYaml.List(((KeyByStepConfig)config).Fields))];

    private static KeyByStepConfig? Bind(MappingReader reader)
    {
        var fields = reader.ScalarList("fields", "[deviceId, sensorType]", requiredExample: "[deviceId, sensorType]");
        if (fields is null)
        {
            return null;
        }
        var ok = true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (text, node) in fields)
        {
            if (!KnownFields.Contains(text))
            {
                reader.Context.Error(node, $"unknown key field '{text}'", DidYouMean.Hint(text, KnownFields.ToArray(), "key fields"));
                ok = false;
            }
            else if (!seen.Add(text))
            {
                reader.Context.Error(node, $"key field '{text}' is listed twice", "list each field once");
                ok = false;
            }
        }
        if (fields.Count == 0 || fields.Count > ConfigDefaults.MaxKeyFields)
        {
            reader.Context.Error(reader.Get("fields"), $"key-by takes 1 to {ConfigDefaults.MaxKeyFields} fields, got {fields.Count}", "write 'fields: [deviceId, sensorType]'");
            ok = false;
        }
        return ok ? new KeyByStepConfig(new EquatableList<string>(fields.Select(f => f.Text))) : null;
    }
}
