using Platform.Engine.Windows;
using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Steps;

/// <summary>Binds <c>op: window</c>: kind, size, slide (hopping), gap (session).</summary>
internal static class WindowStep
{
    private static readonly TimeSpan MinLength = TimeSpan.FromMilliseconds(1);

    /// <summary>The registry entry.</summary>
    public static StepKind Kind { get; } = new(WindowStepConfig.OpName, [KeyByStepConfig.OpName], Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(StepConfig config)
    {
        var window = (WindowStepConfig)config;
        yield return ConfigYaml.Pair("kind", ConfigYaml.Enum(window.Kind));
        if (window.Kind != WindowKind.Session)
        {
            yield return ConfigYaml.Pair("size", ConfigYaml.Duration(window.Size));
        }
        if (window.Kind == WindowKind.Hopping)
        {
            yield return ConfigYaml.Pair("slide", ConfigYaml.Duration(window.Slide));
        }
        if (window.Kind == WindowKind.Session)
        {
            yield return ConfigYaml.Pair("gap", ConfigYaml.Duration(window.Gap));
        }
    }

    private static WindowStepConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var kind = reader.Enum("kind", WindowKind.Tumbling);
        var kindName = ValueParsers.Kebab(kind);
        TimeSpan size = TimeSpan.Zero, slide = TimeSpan.Zero, gap = TimeSpan.Zero;
        switch (kind)
        {
            case WindowKind.Tumbling:
                size = reader.Duration("size", TimeSpan.Zero, MinLength, requiredExample: "10s");
                slide = size;
                NotFor(reader, "slide", kindName, "hopping");
                NotFor(reader, "gap", kindName, "session");
                break;
            case WindowKind.Hopping:
                size = reader.Duration("size", TimeSpan.Zero, MinLength, requiredExample: "10s");
                slide = reader.Duration("slide", TimeSpan.Zero, MinLength, requiredExample: "5s");
                NotFor(reader, "gap", kindName, "session");
                if (size > TimeSpan.Zero && slide > size)
                {
                    reader.Context.Error(reader.Get("slide"), $"'slide' ({ValueParsers.FormatDuration(slide)}) must not exceed 'size' ({ValueParsers.FormatDuration(size)})",
                        "a hopping window slides by at most its size; for gaps between windows use a smaller size");
                }
                break;
            case WindowKind.Session:
                gap = reader.Duration("gap", TimeSpan.Zero, MinLength, requiredExample: "30s");
                NotFor(reader, "size", kindName, "tumbling and hopping");
                NotFor(reader, "slide", kindName, "hopping");
                break;
        }
        if (size > ConfigDefaults.MaxWindowSize)
        {
            reader.Context.Error(reader.Get("size"), $"'size' must be at most {ValueParsers.FormatDuration(ConfigDefaults.MaxWindowSize)}", "write e.g. 'size: 1h'");
        }
        return reader.Context.Errors.Count == errors ? new WindowStepConfig(kind, size, slide, gap) : null;
    }

    private static void NotFor(MappingReader reader, string key, string kind, string appliesTo)
    {
        if (reader.Get(key) is { } node)
        {
            reader.Context.Error(node, $"'{key}' does not apply to a {kind} window", $"'{key}' is for {appliesTo} windows; remove it or set 'kind'");
        }
    }
}
