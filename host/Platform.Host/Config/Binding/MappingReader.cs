using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Host.Config.Binding;

/// <summary>
/// Reads the keys of one YAML mapping, reporting every bad value to the <see cref="BindContext"/>
/// and returning the default instead, so binding goes on and all errors are found in one pass.
/// Every key a binder asks for is "known"; <see cref="ReportUnknownKeys"/> flags the rest.
/// </summary>
internal sealed class MappingReader
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);
    private readonly List<string> _known = [];

    public MappingReader(YamlMappingNode node, string what, BindContext context)
    {
        Node = node;
        What = what;
        Context = context;
        foreach (var (key, value) in node.Children)
        {
            if (key is YamlScalarNode { Value: { } name } scalar)
            {
                _entries[name] = (scalar, value);
            }
            else
            {
                context.Error(key, $"a key in {what} must be a plain word", "write 'key: value'");
            }
        }
    }

    /// <summary>The mapping.</summary>
    public YamlMappingNode Node { get; }

    /// <summary>What the mapping is, for messages: "source", "window", "duckdb sink".</summary>
    public string What { get; set; }

    /// <summary>The shared error list and folders.</summary>
    public BindContext Context { get; }

    /// <summary>The keys asked for so far.</summary>
    public IReadOnlyList<string> KnownKeys => _known;

    /// <summary>True when the key is present (and marks it known).</summary>
    public bool Has(string key) => Get(key) is not null;

    /// <summary>Marks a key as known and returns its value node, or null when absent.</summary>
    public YamlNode? Get(string key)
    {
        if (!_known.Contains(key))
        {
            _known.Add(key);
        }
        return _entries.TryGetValue(key, out var entry) ? entry.Value : null;
    }

    /// <summary>Reports a required key that is absent.</summary>
    public void Missing(string key, string example) =>
        Context.Error(Node, $"{What} is missing required field '{key}'", $"add '{key}: {example}'");

    /// <summary>A string; null when absent (reported when <paramref name="requiredExample"/> is given).</summary>
    public string? String(string key, string? requiredExample = null)
    {
        var node = Get(key);
        if (node is null)
        {
            if (requiredExample is not null)
            {
                Missing(key, requiredExample);
            }
            return null;
        }
        if (!TryScalar(node, key, requiredExample ?? "text", "a text value", out var text))
        {
            return null;
        }
        if (text.Length == 0)
        {
            Context.Error(node, $"'{key}' is empty", $"write '{key}: {requiredExample ?? "text"}'");
            return null;
        }
        return text;
    }

    /// <summary>A whole number in [min, max].</summary>
    public long Int64(string key, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        var node = Get(key);
        if (node is null || !TryScalar(node, key, fallback.ToString(CultureInfo.InvariantCulture), "a whole number", out var text))
        {
            return fallback;
        }
        if (!ValueParsers.TryParseInt64(text, out var value))
        {
            Context.Error(node, $"'{key}' must be a whole number, got '{text}'", $"write e.g. '{key}: {fallback.ToString(CultureInfo.InvariantCulture)}'");
            return fallback;
        }
        if (value < min || value > max)
        {
            Context.Error(node, $"'{key}' must be {Range(min, max)}, got {value.ToString(CultureInfo.InvariantCulture)}", $"write e.g. '{key}: {fallback.ToString(CultureInfo.InvariantCulture)}'");
            return fallback;
        }
        return value;
    }

    /// <summary>A whole number in [min, max] that fits an int.</summary>
    public int Int32(string key, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        (int)Int64(key, fallback, min, max);

    /// <summary>A number in [min, max].</summary>
    public double Double(string key, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        var node = Get(key);
        var example = fallback.ToString(CultureInfo.InvariantCulture);
        if (node is null || !TryScalar(node, key, example, "a number", out var text))
        {
            return fallback;
        }
        if (!ValueParsers.TryParseDouble(text, out var value))
        {
            Context.Error(node, $"'{key}' must be a number, got '{text}'", $"write e.g. '{key}: {example}'");
            return fallback;
        }
        if (value < min || value > max)
        {
            Context.Error(node, $"'{key}' must be {Range(min, max)}, got {text}", $"write e.g. '{key}: {example}'");
            return fallback;
        }
        return value;
    }

    /// <summary>A duration like 500ms, 10s, 5m, 1h, at least <paramref name="min"/>.</summary>
    public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan min, string? requiredExample = null)
    {
        var node = Get(key);
        var example = requiredExample ?? ValueParsers.FormatDuration(fallback);
        if (node is null)
        {
            if (requiredExample is not null)
            {
                Missing(key, requiredExample);
            }
            return fallback;
        }
        if (!TryScalar(node, key, example, "a duration like 10s", out var text))
        {
            return fallback;
        }
        if (!ValueParsers.TryParseDuration(text, out var value))
        {
            Context.Error(node, $"'{key}' must be a duration like 10s, got '{text}'", $"write a number and a unit (ms, s, m, h, d), e.g. '{key}: {example}'");
            return fallback;
        }
        if (value < min)
        {
            Context.Error(node, $"'{key}' must be at least {ValueParsers.FormatDuration(min)}, got '{text}'", $"write e.g. '{key}: {example}'");
            return fallback;
        }
        return value;
    }

    /// <summary>A size in bytes like 64KiB or 1MiB, in [min, max].</summary>
    public long Size(string key, long fallback, long min, long max)
    {
        var node = Get(key);
        var example = ValueParsers.FormatSize(fallback);
        if (node is null || !TryScalar(node, key, example, "a size like 256KiB", out var text))
        {
            return fallback;
        }
        if (!ValueParsers.TryParseSize(text, out var value))
        {
            Context.Error(node, $"'{key}' must be a size like 256KiB, got '{text}'", $"write a number and a unit (B, KiB, MiB, GiB), e.g. '{key}: {example}'");
            return fallback;
        }
        if (value < min || value > max)
        {
            Context.Error(node, $"'{key}' must be between {ValueParsers.FormatSize(min)} and {ValueParsers.FormatSize(max)}, got '{text}'", $"write e.g. '{key}: {example}'");
            return fallback;
        }
        return value;
    }

    /// <summary>An enum member in kebab-case, case-insensitively.</summary>
    public T Enum<T>(string key, T fallback)
        where T : struct, Enum
    {
        var node = Get(key);
        var names = ValueParsers.KebabNames<T>();
        if (node is null || !TryScalar(node, key, ValueParsers.Kebab(fallback), "one of " + string.Join(", ", names), out var text))
        {
            return fallback;
        }
        if (!ValueParsers.TryParseEnum<T>(text, out var value))
        {
            Context.Error(node, $"'{key}' must be one of {string.Join(", ", names)}, got '{text}'", DidYouMean.Hint(text, names.ToArray()));
            return fallback;
        }
        return value;
    }

    /// <summary>A list of scalars (block or flow sequence); null when absent or wrong.</summary>
    public IReadOnlyList<(string Text, YamlScalarNode Node)>? ScalarList(string key, string example, string? requiredExample = null)
    {
        var node = Get(key);
        if (node is null)
        {
            if (requiredExample is not null)
            {
                Missing(key, requiredExample);
            }
            return null;
        }
        if (node is not YamlSequenceNode sequence)
        {
            Context.Error(node, $"'{key}' must be a list, got {Describe(node)}", $"write '{key}: {example}'");
            return null;
        }
        var items = new List<(string, YamlScalarNode)>();
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } text } scalar)
            {
                items.Add((text, scalar));
            }
            else
            {
                Context.Error(item, $"each item of '{key}' must be a plain value, got {Describe(item)}", $"write '{key}: {example}'");
            }
        }
        return items;
    }

    /// <summary>A nested mapping; null when absent (reported when <paramref name="required"/>) or not a mapping.</summary>
    public MappingReader? Mapping(string key, bool required = false, string example = "...")
    {
        var node = Get(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, example);
            }
            return null;
        }
        if (node is YamlMappingNode mapping)
        {
            return new MappingReader(mapping, $"'{key}'", Context);
        }
        if (IsNull(node))
        {
            return required ? NullValue(node, key, example) : null;
        }
        Context.Error(node, $"'{key}' must be a mapping of fields, got {Describe(node)}", $"write '{key}:' and indented 'field: value' lines below it");
        return null;
    }

    /// <summary>A nested sequence; null when absent (reported when <paramref name="required"/>) or not a sequence.</summary>
    public YamlSequenceNode? Sequence(string key, bool required = false, string example = "...")
    {
        var node = Get(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, example);
            }
            return null;
        }
        if (node is YamlSequenceNode sequence)
        {
            return sequence;
        }
        if (IsNull(node) && !required)
        {
            return null;
        }
        Context.Error(node, $"'{key}' must be a list, got {Describe(node)}", $"write '{key}:' and items below it, each starting with '- '");
        return null;
    }

    /// <summary>Reports every key nobody asked for, with the closest known key.</summary>
    public void ReportUnknownKeys()
    {
        foreach (var (name, (key, _)) in _entries)
        {
            if (!_known.Contains(name))
            {
                Context.Error(key, $"unknown key '{name}' in {What}", DidYouMean.Hint(name, _known, "known keys"));
            }
        }
    }

    /// <summary>How a node looks, for messages.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "something else",
    };

    /// <summary>True for an empty or ~/null plain scalar.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private MappingReader? NullValue(YamlNode node, string key, string example)
    {
        Context.Error(node, $"'{key}' has no value", $"write '{key}: {example}'");
        return null;
    }

    private bool TryScalar(YamlNode node, string key, string example, string expected, out string text)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar))
        {
            text = scalar.Value ?? "";
            return true;
        }
        text = "";
        Context.Error(node, $"'{key}' must be {expected}, got {Describe(node)}", $"write '{key}: {example}'");
        return false;
    }

    private static string Range(double min, double max) =>
        (min, max) switch
        {
            (double.MinValue or long.MinValue, double.MaxValue or long.MaxValue) => "a number",
            (_, double.MaxValue or long.MaxValue) => $"≥ {min.ToString(CultureInfo.InvariantCulture)}",
            (double.MinValue or long.MinValue, _) => $"≤ {max.ToString(CultureInfo.InvariantCulture)}",
            _ => $"between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}",
        };
}
