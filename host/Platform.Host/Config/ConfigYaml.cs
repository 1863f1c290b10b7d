using System.Globalization;
using Platform.Host.Config.Binding;

namespace Platform.Host.Config;

/// <summary>Canonical YAML spellings of config values, shared by the writers.</summary>
internal static class ConfigYaml
{
    public static KeyValuePair<string, string> Pair(string key, string value) => new(key, value);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan value) => ValueParsers.FormatDuration(value);

    public static string Size(long value) => ValueParsers.FormatSize(value);

    public static string Enum<T>(T value)
        where T : struct, Enum => ValueParsers.Kebab(value);

    public static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Text)) + "]";

    /// <summary>A string as a YAML scalar, quoted when plain style would change its meaning.</summary>
    public static string Text(string value)
    {
        var plain = value.Length > 0 &&
            value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or '\\') &&
            !MappingReader.IsNull(new YamlDotNet.RepresentationModel.YamlScalarNode(value)) &&
            value is not ("true" or "false" or "yes" or "no") && !char.IsAsciiDigit(value[0]);
        return plain ? value : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
