using System.Globalization;
using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Steps;

/// <summary>Binds <c>op: aggregate</c>: functions count, sum, min, max, mean, variance, pNN.</summary>
internal static class AggregateStep
{
    private static readonly string[] Names = ["count", "sum", "min", "max", "mean", "variance", "p50", "p95", "p99"];

    /// <summary>The registry entry.</summary>
    public static StepKind Kind { get; } = new(AggregateStepConfig.OpName, [WindowStepConfig.OpName], Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(StepConfig config) =>
        [ConfigYaml.Pair("functions", ConfigYaml.List(((AggregateStepConfig)config).Functions.Select(f => f.Name)))];

    private static AggregateStepConfig? Bind(MappingReader reader)
    {
        var items = reader.ScalarList("functions", "[count, mean, p99]");
        if (items is null)
        {
            return reader.Has("functions") ? null : new AggregateStepConfig(AggregateStepConfig.AllFunctions);
        }
        var ok = items.Count > 0;
        if (!ok)
        {
            reader.Context.Error(reader.Get("functions"), "'functions' is empty", "write e.g. 'functions: [count, mean, p99]'");
        }
        var functions = new List<AggregateFunction>();
        foreach (var (text, node) in items)
        {
            if (TryParse(text, out var function))
            {
                if (functions.Contains(function))
                {
                    reader.Context.Error(node, $"aggregate '{text}' is listed twice", "list each function once");
                    ok = false;
                }
                functions.Add(function);
            }
            else
            {
                reader.Context.Error(node, $"unknown aggregate '{text}'", DidYouMean.Hint(text, Names, "known") + ", or any pNN percentile like p90, p99.9");
                ok = false;
            }
        }
        return ok ? new AggregateStepConfig(new EquatableList<AggregateFunction>(functions)) : null;
    }

    /// <summary>Parses one function name; pNN is a percentile with 0 &lt; NN &lt; 100.</summary>
    public static bool TryParse(string text, out AggregateFunction function)
    {
        var name = text.Trim().ToLowerInvariant();
        if (name.Length > 1 && name[0] == 'p' &&
            double.TryParse(name.AsSpan(1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) &&
            percent > 0 && percent < 100)
        {
            function = new AggregateFunction(AggregateKind.Percentile, percent / 100);
            return true;
        }
        if (name != "percentile" && ValueParsers.TryParseEnum<AggregateKind>(name, out var kind))
        {
            function = new AggregateFunction(kind);
            return true;
        }
        function = default;
        return false;
    }
}
