using Platform.Connectors.Generator;
using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Sources;

/// <summary>Binds <c>source: { type: generator }</c>.</summary>
internal static class GeneratorSource
{
    /// <summary>The registry entry.</summary>
    public static SourceKind Kind { get; } = new(GeneratorSourceConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SourceConfig config)
    {
        var g = (GeneratorSourceConfig)config;
        return
        [
            ConfigYaml.Pair("events", ConfigYaml.Number(g.Events)),
            ConfigYaml.Pair("seed", ConfigYaml.Number(g.Seed)),
            ConfigYaml.Pair("devices", ConfigYaml.Number(g.Devices)),
            ConfigYaml.Pair("sensors", ConfigYaml.List(g.Sensors)),
            ConfigYaml.Pair("vector-share", ConfigYaml.Number(g.VectorShare)),
            ConfigYaml.Pair("malformed-share", ConfigYaml.Number(g.MalformedShare)),
            ConfigYaml.Pair("anomaly-share", ConfigYaml.Number(g.AnomalyShare)),
            ConfigYaml.Pair("out-of-order", ConfigYaml.Duration(g.OutOfOrder)),
            ConfigYaml.Pair("late-share", ConfigYaml.Number(g.LateShare)),
            ConfigYaml.Pair("max-lateness", ConfigYaml.Duration(g.MaxLateness)),
            ConfigYaml.Pair("rate", ConfigYaml.Number(g.Rate)),
        ];
    }

    private static GeneratorSourceConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var d = GeneratorSourceConfig.Default;
        var events = reader.Int64("events", d.Events, min: 0);
        var seed = reader.Int64("seed", d.Seed);
        var devices = reader.Int32("devices", d.Devices, min: 1, max: TelemetryGeneratorOptions.MaxDevices);
        var sensors = d.Sensors;
        if (reader.ScalarList("sensors", "[temperature, humidity]") is { } list)
        {
            if (list.Count == 0)
            {
                reader.Context.Error(reader.Get("sensors"), "'sensors' is empty", "write e.g. 'sensors: [temperature, humidity]'");
            }
            var known = SensorProfile.Defaults.Select(p => p.Name).ToArray();
            foreach (var (text, node) in list.Where(s => !known.Contains(s.Text, StringComparer.Ordinal)))
            {
                reader.Context.Error(node, $"unknown sensor type '{text}'", DidYouMean.Hint(text, known, "the generator knows"));
            }
            foreach (var group in list.GroupBy(s => s.Text, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                reader.Context.Error(group.Skip(1).First().Node, $"sensor '{group.Key}' is listed twice", "list each sensor type once");
            }
            sensors = new EquatableList<string>(list.Select(s => s.Text));
        }
        var vector = reader.Double("vector-share", d.VectorShare, 0, 1);
        var malformed = reader.Double("malformed-share", d.MalformedShare, 0, 1);
        var anomaly = reader.Double("anomaly-share", d.AnomalyShare, 0, 1);
        var outOfOrder = reader.Duration("out-of-order", d.OutOfOrder, TimeSpan.Zero);
        var lateShare = reader.Double("late-share", d.LateShare, 0, 1);
        var maxLateness = reader.Duration("max-lateness", d.MaxLateness, TimeSpan.Zero);
        var rate = reader.Double("rate", d.Rate, 0);
        return reader.Context.Errors.Count == errors
            ? new GeneratorSourceConfig(events, seed, devices, sensors, vector, malformed, anomaly, outOfOrder, lateShare, maxLateness, rate)
            : null;
    }
}
