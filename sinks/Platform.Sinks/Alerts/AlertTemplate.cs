using System.Globalization;
using System.Text;

namespace Platform.Sinks.Alerts;

/// <summary>
/// Message text with placeholders filled from an <see cref="Alert"/>: <c>{key}</c>, <c>{value}</c>,
/// <c>{score}</c>, <c>{time}</c> (ISO-8601 UTC), and also <c>{severity}</c>, <c>{source}</c>,
/// <c>{message}</c>, <c>{low}</c>, <c>{high}</c>. <c>{{</c> and <c>}}</c> are literal braces; an
/// unknown placeholder is an error when the template is parsed, not when an alert is sent.
/// </summary>
public sealed class AlertTemplate
{
    /// <summary>The template used when none is configured.</summary>
    public const string DefaultText = "[{severity}] {key}: value {value} (score {score}) at {time} — {message}";

    private static readonly string[] Known = ["key", "value", "score", "time", "severity", "source", "message", "low", "high"];
    private readonly (string? Literal, string? Field)[] _parts;

    private AlertTemplate(string text, (string?, string?)[] parts)
    {
        Text = text;
        _parts = parts;
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>The default template.</summary>
    public static AlertTemplate Default { get; } = Parse(DefaultText);

    /// <summary>Parses a template.</summary>
    /// <exception cref="FormatException">An unknown placeholder or an unbalanced brace.</exception>
    public static AlertTemplate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<(string?, string?)>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '{' && i + 1 < text.Length && text[i + 1] == '{') { literal.Append('{'); i++; continue; }
            if (c == '}' && i + 1 < text.Length && text[i + 1] == '}') { literal.Append('}'); i++; continue; }
            if (c == '}') throw new FormatException($"Unbalanced '}}' at {i} in alert template '{text}'.");
            if (c != '{') { literal.Append(c); continue; }
            var end = text.IndexOf('}', i + 1);
            if (end < 0) throw new FormatException($"Unclosed '{{' at {i} in alert template '{text}'.");
            var name = text[(i + 1)..end];
            if (Array.IndexOf(Known, name) < 0)
            {
                throw new FormatException($"Unknown placeholder '{{{name}}}' in alert template; known: {string.Join(", ", Known.Select(k => "{" + k + "}"))}.");
            }
            if (literal.Length > 0) { parts.Add((literal.ToString(), null)); literal.Clear(); }
            parts.Add((null, name));
            i = end;
        }
        if (literal.Length > 0) parts.Add((literal.ToString(), null));
        return new AlertTemplate(text, [.. parts]);
    }

    /// <summary>Fills the placeholders from <paramref name="alert"/>.</summary>
    public string Render(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var sb = new StringBuilder(Text.Length + 64);
        foreach (var (literal, field) in _parts)
        {
            sb.Append(literal ?? field switch
            {
                "key" => alert.Key,
                "value" => Number(alert.Value),
                "score" => Number(alert.Score),
                "time" => alert.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                "severity" => alert.Severity.ToString().ToUpperInvariant(),
                "source" => alert.Source,
                "message" => alert.Message,
                "low" => Number(alert.ExpectedLow),
                "high" => Number(alert.ExpectedHigh),
                _ => "",
            });
        }
        return sb.ToString();
    }

    /// <summary>Up to four significant decimals, invariant culture.</summary>
    internal static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString() => Text;
}
