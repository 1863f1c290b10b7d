using System.Globalization;
using Platform.Operators.Anomaly;

namespace Platform.Host.Nab;

/// <summary>Applies <c>Name=value</c> overrides to <see cref="AnomalyDetectorOptions"/> (one configuration for every file).</summary>
internal static class NabOptionOverrides
{
    public static AnomalyDetectorOptions Apply(AnomalyDetectorOptions options, IEnumerable<string> settings)
    {
        foreach (var setting in settings)
        {
            var eq = setting.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"--set wants Name=value, got '{setting}'.");
            var name = setting[..eq].Trim();
            var text = setting[(eq + 1)..].Trim();
            var prop = typeof(AnomalyDetectorOptions).GetProperty(name)
                ?? throw new ArgumentException($"No detector option '{name}'; options: {string.Join(", ", typeof(AnomalyDetectorOptions).GetProperties().Select(p => p.Name))}.");
            object value = prop.PropertyType switch
            {
                var t when t == typeof(int) => int.Parse(text, CultureInfo.InvariantCulture),
                var t when t == typeof(double) => double.Parse(text, CultureInfo.InvariantCulture),
                var t when t == typeof(bool) => bool.Parse(text),
                var t when t == typeof(TimeSpan) => TimeSpan.Parse(text, CultureInfo.InvariantCulture),
                var t when t == typeof(IReadOnlyList<double>) => text.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray(),
                var t when t.IsEnum => Enum.Parse(t, text, ignoreCase: true),
                _ => throw new ArgumentException($"Option '{name}' cannot be set from the command line."),
            };
            var copy = options with { };
            prop.SetValue(copy, value);
            options = copy;
        }
        return options.Validate();
    }
}
